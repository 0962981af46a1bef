//! Deleting routes: `deleteCalledRoute`, in batches of at most
//! [`MAX_DELETE_BATCH`], with the documented `Success:…,Failed:…` result
//! parsed into a [`Deletion`].

use crate::{
    client::Client, envelope::check_return_code, error::Error, generated::types,
    limits::MAX_DELETE_BATCH,
};

/// The routes a deletion removed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Deletion {
    /// The deleted routes, as CEC names them (access code + extension code).
    pub deleted: Vec<String>,
    /// The IDs of the deleted routes, as CEC sent them.
    pub ids: Vec<String>,
    /// How many requests were sent (one per 1000 dnids).
    pub requests: usize,
}

impl Client {
    /// Deletes the routes with these `dnid`s: `deleteCalledRoute`.
    ///
    /// An empty list is refused. More than 1000 dnids are sent in several
    /// requests. A delete is never resent once it may have reached CEC: only
    /// after a refused connection or a 429 (see
    /// [`RetryPolicy`](crate::RetryPolicy)).
    ///
    /// Success means CEC named, as deleted, one route for each dnid sent.
    /// Anything else is never plain success:
    ///
    /// - [`Error::PartialDeletion`]: CEC deleted only some routes (its
    ///   `Success:…,Failed:…` answer, fewer names than dnids, or a request
    ///   of several that failed), listing what was and was not deleted;
    /// - [`Error::UnconfirmedDeletion`]: CEC answered `"0"` but named no
    ///   deleted route, or more routes than dnids were sent, so its answer
    ///   confirms nothing route by route; list the routes to know.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: cec_routes::Client) -> Result<(), cec_routes::Error> {
    /// let deletion = client.delete_called_routes(&[1, 2]).await?;
    /// println!("deleted {}", deletion.deleted.join(", "));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn delete_called_routes(&self, dnids: &[i64]) -> Result<Deletion, Error> {
        if dnids.is_empty() {
            return Err(Error::invalid("dnids", "name at least one route to delete"));
        }
        if let Some(bad) = dnids.iter().find(|d| **d < 0) {
            return Err(Error::invalid("dnids", format!("{bad} is not a dnid")));
        }
        let mut deletion = Deletion {
            deleted: Vec::new(),
            ids: Vec::new(),
            requests: 0,
        };
        let mut failed = Vec::new();
        let mut first_error = None;
        // The batches CEC's answer does not confirm: their dnids, and why.
        let mut unconfirmed: Vec<(&[i64], String)> = Vec::new();
        for batch in dnids.chunks(MAX_DELETE_BATCH) {
            deletion.requests += 1;
            match self.delete_batch(batch).await {
                Ok(done) => {
                    match account(batch, &done) {
                        Accounted::Whole => {}
                        // CEC refused, or named fewer routes than dnids were
                        // sent: whatever is not accounted for was not
                        // confirmed deleted.
                        Accounted::Short(missing) => failed.push(format!(
                            "{missing} of the routes with dnids {} (not accounted for)",
                            join(batch)
                        )),
                        Accounted::Unconfirmed(reason) => unconfirmed.push((batch, reason)),
                    }
                    deletion.deleted.extend(done.deleted);
                    deletion.ids.extend(done.ids);
                    failed.extend(done.failed);
                    if let Some(cause) = done.cause {
                        first_error.get_or_insert(cause);
                    }
                }
                Err(error) if deletion.requests == 1 && batch.len() == dnids.len() => {
                    return Err(error);
                }
                Err(error) => {
                    // Not confirmed: a request that timed out may still
                    // have been carried out (the cause says so).
                    failed.extend(batch.iter().map(|d| format!("dnid {d}")));
                    first_error.get_or_insert(error);
                }
            }
        }
        if !failed.is_empty() {
            failed.extend(
                unconfirmed
                    .iter()
                    .map(|(batch, reason)| format!("dnids {} ({reason})", join(batch))),
            );
            return Err(Error::PartialDeletion {
                deleted: deletion.deleted,
                failed,
                cause: first_error.map(|e| e.to_string()),
            });
        }
        if !unconfirmed.is_empty() {
            let reason = unconfirmed
                .iter()
                .map(|(batch, reason)| format!("{reason} (dnids {})", join(batch)))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(Error::UnconfirmedDeletion {
                dnids: unconfirmed
                    .iter()
                    .flat_map(|(batch, _)| batch.iter().copied())
                    .collect(),
                deleted: deletion.deleted,
                reason,
            });
        }
        Ok(deletion)
    }

    async fn delete_batch(&self, dnids: &[i64]) -> Result<BatchResult, Error> {
        let joined = join(dnids);
        let body = &types::DeleteCalledRouteRequest {
            dnids: joined.as_str().try_into().map_err(|_| {
                Error::invalid(
                    "dnids",
                    "must be 1 to 1000 numbers of at most 19 digits, comma-separated",
                )
            })?,
        };
        let response = self
            .call("deleteCalledRoute", |raw| async move {
                raw.delete_called_route(body).await
            })
            .await?
            .into_inner();
        let refusal = check_return_code(
            "deleteCalledRoute",
            response.return_code.as_deref(),
            response.description.as_deref(),
        )
        .err();
        let data = response.data.and_then(|d| d.0).unwrap_or_default();
        let partial = data
            .content
            .as_deref()
            .is_some_and(|c| c.trim_start().starts_with("Success:"));
        match refusal {
            // A refusal that still says some routes were deleted is a
            // partial deletion, whatever its returnCode: what was deleted
            // must not be lost.
            Some(error) if partial => {
                let (deleted, failed) = parse_content(data.content.as_deref(), None);
                Ok(BatchResult {
                    deleted,
                    failed,
                    ids: split(data.id.as_deref()),
                    cause: Some(error),
                })
            }
            Some(error) => Err(error),
            None => {
                let (deleted, failed) =
                    parse_content(data.content.as_deref(), data.name.as_deref());
                Ok(BatchResult {
                    deleted,
                    failed,
                    ids: split(data.id.as_deref()),
                    cause: None,
                })
            }
        }
    }
}

/// How a batch's result accounts for the routes of its dnids.
enum Accounted {
    /// One named route (deleted or failed) for each dnid.
    Whole,
    /// This many routes are named neither as deleted nor as failed.
    Short(usize),
    /// CEC answered `"0"` but its names confirm nothing: why.
    Unconfirmed(String),
}

/// How `done` accounts for `batch`: a success that names no route, or more
/// routes than dnids, confirms nothing route by route; a refusal or a
/// success that names fewer leaves the rest unaccounted for.
fn account(batch: &[i64], done: &BatchResult) -> Accounted {
    let named = done.deleted.len() + done.failed.len();
    let mut unique = batch.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let sent = unique.len();
    match (named, &done.cause) {
        (0, None) => Accounted::Unconfirmed(
            "CEC answered returnCode \"0\" without naming a deleted route".to_owned(),
        ),
        (named, None) if named > sent => Accounted::Unconfirmed(format!(
            "CEC named {named} deleted routes for {sent} dnid{}",
            if sent == 1 { "" } else { "s" }
        )),
        (named, _) if named < sent => Accounted::Short(sent - named),
        _ => Accounted::Whole,
    }
}

fn join(dnids: &[i64]) -> String {
    dnids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

struct BatchResult {
    deleted: Vec<String>,
    failed: Vec<String>,
    ids: Vec<String>,
    /// CEC's refusal, when it came with a partial result.
    cause: Option<Error>,
}

/// Parses `content`: `Success:<names>,Failed:<names>` for a partial
/// deletion; otherwise the names (equal to `name`) of a whole one.
fn parse_content(content: Option<&str>, name: Option<&str>) -> (Vec<String>, Vec<String>) {
    let content = content.map(str::trim).unwrap_or_default();
    if let Some(rest) = content.strip_prefix("Success:") {
        let (succeeded, failed) = match rest.split_once(",Failed:") {
            Some((succeeded, failed)) => (succeeded, failed),
            None => match rest.split_once("Failed:") {
                Some((succeeded, failed)) => (succeeded.trim_end_matches(','), failed),
                None => (rest, ""),
            },
        };
        return (split(Some(succeeded)), split(Some(failed)));
    }
    if let Some(failed) = content.strip_prefix("Failed:") {
        return (Vec::new(), split(Some(failed)));
    }
    let names = if content.is_empty() {
        name
    } else {
        Some(content)
    };
    (split(names), Vec::new())
}

fn split(list: Option<&str>) -> Vec<String> {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_deletion_lists_the_documented_names() {
        let (deleted, failed) = parse_content(Some("9911411,99114111"), Some("9911411,99114111"));
        assert_eq!(deleted, ["9911411", "99114111"]);
        assert!(failed.is_empty());
    }

    #[test]
    fn a_partial_deletion_separates_success_from_failure() {
        let (deleted, failed) =
            parse_content(Some("Success:9911411,Failed:99114111,99114112"), None);
        assert_eq!(deleted, ["9911411"]);
        assert_eq!(failed, ["99114111", "99114112"]);
    }

    #[test]
    fn a_partial_deletion_with_nothing_deleted_lists_only_failures() {
        let (deleted, failed) = parse_content(Some("Success:,Failed:99114111"), None);
        assert!(deleted.is_empty());
        assert_eq!(failed, ["99114111"]);
    }

    #[test]
    fn missing_content_falls_back_to_the_names() {
        let (deleted, failed) = parse_content(None, Some("9911411"));
        assert_eq!(deleted, ["9911411"]);
        assert!(failed.is_empty());
    }
}
