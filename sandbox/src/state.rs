//! The sandbox's tenant, in memory: access codes, skill queues, IVR flows
//! and routes, behind one lock, and the documented rules between them.

use std::{
    borrow::Cow,
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use super::{
    listing, return_code,
    routes::{ListingKey, Routes},
    seed::Seed,
    tenant::{AccessCodeRecord, IvrFlow, SandboxRoute, SkillQueue, free_route_id},
};
use cec_routes::{CalledRoute, Device, Editable, MediaType, generated::types};

/// A business refusal: HTTP 200 with this `returnCode` and description.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) code: &'static str,
    pub(crate) description: String,
}

/// The refusal of an IVR flow on the multimedia channel, at create and
/// modify alike.
pub(crate) fn ivr_on_multimedia(media: MediaType) -> Refused {
    refused(
        return_code::IVR_ON_MULTIMEDIA,
        format!(
            "an IVR flow cannot be chosen for the multimedia channel: the route is {media}; \
             route it to a multimedia skill queue"
        ),
    )
}

fn refused(code: &'static str, description: impl Into<String>) -> Refused {
    Refused {
        code,
        description: description.into(),
    }
}

/// Page of a listing: at most `limit` items from `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Paging {
    pub(crate) limit: usize,
    pub(crate) offset: usize,
}

/// A queryCalledRoute request, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RouteQuery {
    pub(crate) access_code: Option<String>,
    pub(crate) ext_code: Option<String>,
    pub(crate) device_type: Option<i32>,
    pub(crate) device_desc: Option<String>,
    /// Every media type asked for (`mediaTypeId`, `mediatypeId`): a route
    /// must match each.
    pub(crate) media_types: Vec<MediaType>,
    pub(crate) paging: Paging,
}

impl RouteQuery {
    /// Whether a filter other than the access code (which the index
    /// serves) is set.
    fn filters_beyond_the_access_code(&self) -> bool {
        self.ext_code.is_some()
            || self.device_type.is_some()
            || self.device_desc.is_some()
            || !self.media_types.is_empty()
    }
}

/// A queryAccessCodeList request, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AccessCodeQuery {
    pub(crate) access_code: Option<String>,
    pub(crate) media_type: Option<MediaType>,
    pub(crate) description: Option<String>,
    pub(crate) paging: Paging,
}

/// A querySkills request, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SkillQuery {
    /// Part of the name (ignoring case).
    pub(crate) name: Option<String>,
    pub(crate) media_type: Option<MediaType>,
    /// The queues asked for by id; empty: every queue. An id no queue can
    /// have (above 2^31 − 1) matches nothing.
    pub(crate) skill_ids: Vec<u64>,
    pub(crate) paging: Paging,
}

/// What a deletion did: the routes deleted, and the names of those not
/// deleted with the reason.
#[derive(Debug, Default)]
pub(crate) struct Deleted {
    pub(crate) deleted: Vec<SandboxRoute>,
    pub(crate) failed: Vec<(String, String)>,
}

impl Deleted {
    /// The deleted routes' names (access code + extension code).
    pub(crate) fn names(&self) -> Vec<String> {
        self.deleted.iter().map(SandboxRoute::name).collect()
    }
}

#[derive(Debug)]
struct Inner {
    /// In the seed's order, the access-code query's.
    access_codes: Vec<AccessCodeRecord>,
    /// Each access code's position in `access_codes`.
    access_code_positions: HashMap<String, usize>,
    skill_queues: BTreeMap<u32, SkillQueue>,
    ivr_flows: BTreeMap<u32, IvrFlow>,
    routes: Routes,
    last_dnid: u64,
}

impl Inner {
    fn access_code(&self, code: &str) -> Option<&AccessCodeRecord> {
        self.access_codes
            .get(*self.access_code_positions.get(code)?)
    }

    fn device_name(&self, device: Device) -> Option<&str> {
        match device {
            Device::SkillQueue(id) => self.skill_queues.get(&id).map(|q| q.name.as_str()),
            Device::Ivr(id) => self.ivr_flows.get(&id)?.description.as_deref(),
        }
    }

    /// The rules between a device and the route's media type: the device
    /// exists; a skill queue's media type is the route's; no IVR flow on
    /// the multimedia channel.
    fn check_device(&self, device: Device, media: MediaType) -> Result<(), Refused> {
        match device {
            Device::SkillQueue(id) => {
                let queue = self.skill_queues.get(&id).ok_or_else(|| {
                    refused(
                        return_code::SKILL_QUEUE_NOT_FOUND,
                        format!("skill queue {id} does not exist"),
                    )
                })?;
                if queue.media != media {
                    return Err(refused(
                        return_code::SKILL_QUEUE_MEDIA_MISMATCH,
                        format!(
                            "the route's media type must equal its skill queue's: skill queue \
                             {id} `{}` takes {}, the route is {media}{}",
                            queue.name,
                            queue.media,
                            if media == MediaType::VoiceAndVideo {
                                " (the default when mediaTypeId is not sent)"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
            }
            Device::Ivr(id) => {
                if !self.ivr_flows.contains_key(&id) {
                    return Err(refused(
                        return_code::IVR_FLOW_NOT_FOUND,
                        format!("IVR flow {id} does not exist"),
                    ));
                }
                if media == MediaType::Multimedia {
                    return Err(ivr_on_multimedia(media));
                }
            }
        }
        Ok(())
    }

    fn to_wire(&self, route: &SandboxRoute) -> types::CalledRouteInfo {
        types::CalledRouteInfo {
            id: Some(route.id.clone()),
            dnid: i64::try_from(route.dnid).ok(),
            access_code: Some(route.access_code.clone()),
            ext_code: Some(route.ext_code.clone().unwrap_or_default()),
            devicetype: Some(route.device.device_type().into()),
            device_id: Some(route.device.id().into()),
            device_desc: self.device_name(route.device).map(str::to_owned),
            mediatype_id: route.media_type.map(|m| m.code().into()),
            editable: Some(route.editable.code().to_owned()),
        }
    }

    /// The JSON item of the route with this listing key, from the cache or
    /// made and kept.
    fn route_json(&mut self, key: ListingKey) -> Option<Arc<str>> {
        if let Some(json) = self.routes.cached_json(&key) {
            return Some(json.clone());
        }
        let json: Arc<str> =
            listing::route_item_json(&self.to_wire(self.routes.by_key(&key)?)).into();
        self.routes.cache_json(key, json.clone());
        Some(json)
    }

    /// The listing keys of the routes that match `query`: the total and
    /// the page, in listing order, as [`Inner::page`] finds them (borrowed
    /// where the index serves the query).
    fn page_keys(&self, query: &RouteQuery) -> (usize, Vec<Cow<'_, ListingKey>>) {
        let Paging { limit, offset } = query.paging;
        if query.filters_beyond_the_access_code() {
            let (total, page) = self.page(query);
            let keys = page
                .iter()
                .map(|route| Cow::Owned(ListingKey::of(&route.id)))
                .collect();
            return (total, keys);
        }
        let (keys, count): (Box<dyn Iterator<Item = &ListingKey>>, usize) =
            match query.access_code.as_deref() {
                Some(code) => (
                    Box::new(self.routes.keys_for_from(code, offset)),
                    self.routes.count_for(code),
                ),
                None => (Box::new(self.routes.keys_from(offset)), self.routes.len()),
            };
        (count, keys.take(limit).map(Cow::Borrowed).collect())
    }

    /// The routes that match `query`: the total and the page, in listing
    /// order. The index serves a query by access code alone (or none): the
    /// page starts at its offset; other filters scan the candidates.
    fn page(&self, query: &RouteQuery) -> (usize, Vec<&SandboxRoute>) {
        let Paging { limit, offset } = query.paging;
        if query.filters_beyond_the_access_code() {
            let candidates: Box<dyn Iterator<Item = &SandboxRoute>> =
                match query.access_code.as_deref() {
                    Some(code) => Box::new(self.routes.listed_for(code)),
                    None => Box::new(self.routes.listed()),
                };
            let mut total = 0;
            let mut page = Vec::new();
            for route in candidates.filter(|route| route_matches(self, route, query)) {
                if total >= offset && page.len() < limit {
                    page.push(route);
                }
                total += 1;
            }
            return (total, page);
        }
        let (page, count): (Box<dyn Iterator<Item = &SandboxRoute>>, usize) =
            match query.access_code.as_deref() {
                Some(code) => (
                    Box::new(self.routes.listed_for_from(code, offset)),
                    self.routes.count_for(code),
                ),
                None => (Box::new(self.routes.listed_from(offset)), self.routes.len()),
            };
        (count, page.take(limit).collect())
    }
}

/// The whole tenant, behind one lock.
#[derive(Debug)]
pub(crate) struct State {
    inner: Mutex<Inner>,
}

impl State {
    pub(crate) fn new(seed: &Seed) -> Self {
        let seed = seed.resolved();
        let last_dnid = seed.routes.iter().map(|r| r.dnid).max().unwrap_or_default();
        let access_code_positions = seed
            .access_codes
            .iter()
            .enumerate()
            .map(|(position, code)| (code.code.clone(), position))
            .collect();
        // A seed's ids, dnids and keys were checked unique when it was made.
        let mut routes = Routes::default();
        for route in seed.routes {
            routes.insert(route);
        }
        State {
            inner: Mutex::new(Inner {
                access_codes: seed.access_codes,
                access_code_positions,
                skill_queues: seed.skill_queues,
                ivr_flows: seed.ivr_flows,
                routes,
                last_dnid,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change checks first, then changes the state in steps that
        // cannot panic, so it is consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `route` if the documented rules allow it, with the next
    /// `dnid` and a free `id`.
    pub(crate) fn create(&self, route: &CalledRoute) -> Result<SandboxRoute, Refused> {
        let mut inner = self.lock();
        let access = inner.access_code(route.access_code()).ok_or_else(|| {
            refused(
                return_code::ACCESS_CODE_NOT_FOUND,
                format!("access code `{}` does not exist", route.access_code()),
            )
        })?;
        let media = route.media_type().unwrap_or(MediaType::VoiceAndVideo);
        let allowed = access.media.allowed_for_access_code();
        if !allowed.contains(&media) {
            let allowed: Vec<String> = allowed.iter().map(MediaType::to_string).collect();
            return Err(refused(
                return_code::MEDIA_TYPE_NOT_ALLOWED,
                format!(
                    "the access code's media type limits the route's: access code `{}` is {}, \
                     so its routes take {}, not {media}{}",
                    access.code,
                    access.media,
                    allowed.join(" or "),
                    if route.media_type().is_none() {
                        " (the default when mediaTypeId is not sent)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        inner.check_device(route.device(), media)?;
        if let Some(existing) = inner.routes.with_key(route.access_code(), route.ext_code()) {
            let ext = match &existing.ext_code {
                Some(ext) => format!("extension code `{ext}`"),
                None => "no extension code".to_owned(),
            };
            return Err(refused(
                return_code::DUPLICATE,
                format!(
                    "access code `{}` with {ext} is already bound (dnid {}, id {}) to {}",
                    existing.access_code, existing.dnid, existing.id, existing.device
                ),
            ));
        }
        // u64 does not overflow here: that would take 10^19 creates.
        let dnid = inner.last_dnid + 1;
        let id = free_route_id(dnid, |id| inner.routes.id_taken(id));
        let stored = SandboxRoute {
            id,
            dnid,
            access_code: route.access_code().to_owned(),
            ext_code: route.ext_code().map(str::to_owned),
            device: route.device(),
            // CEC's documented default when none was sent.
            media_type: Some(media),
            editable: Editable::Yes,
        };
        inner.last_dnid = dnid;
        inner.routes.insert(stored.clone());
        Ok(stored)
    }

    /// Points the route with this `id` at `device`, if its state and the
    /// rules allow it; returns the route as it is now.
    pub(crate) fn modify(&self, id: &str, device: Device) -> Result<SandboxRoute, Refused> {
        let mut inner = self.lock();
        let route = inner.routes.by_id(id).ok_or_else(|| {
            refused(
                return_code::ROUTE_NOT_FOUND,
                format!("no route has id {id}"),
            )
        })?;
        if !route.editable.can_edit() {
            return Err(refused(
                return_code::NOT_EDITABLE,
                format!(
                    "route {id} cannot be edited: its editable state is \"{}\" (\"1\": cannot be \
                     edited, \"3\": cannot be edited or deleted)",
                    route.editable.code()
                ),
            ));
        }
        inner.check_device(device, route.effective_media())?;
        inner.routes.set_device(id, device).cloned().ok_or_else(|| {
            refused(
                return_code::ROUTE_NOT_FOUND,
                format!("no route has id {id}"),
            )
        })
    }

    /// Deletes each listed route that exists and may be deleted; the others
    /// are reported as failed. A dnid listed twice counts once.
    pub(crate) fn delete(&self, dnids: &[u64]) -> Deleted {
        let mut inner = self.lock();
        let mut outcome = Deleted::default();
        let mut seen = std::collections::HashSet::new();
        for dnid in dnids.iter().copied().filter(|d| seen.insert(*d)) {
            match inner.routes.by_dnid(dnid) {
                None => outcome
                    .failed
                    .push((format!("dnid {dnid}"), "no such route".to_owned())),
                Some(route) if !route.editable.can_delete() => outcome.failed.push((
                    route.name(),
                    format!(
                        "editable \"{}\": the route cannot be deleted",
                        route.editable.code()
                    ),
                )),
                Some(_) => outcome.deleted.extend(inner.routes.remove(dnid)),
            }
        }
        outcome
    }

    /// The routes that match `query`, in listing order: the total and the
    /// page.
    #[cfg(test)]
    pub(crate) fn query_routes(&self, query: &RouteQuery) -> (usize, Vec<types::CalledRouteInfo>) {
        let inner = self.lock();
        let (total, page) = inner.page(query);
        (
            total,
            page.into_iter().map(|route| inner.to_wire(route)).collect(),
        )
    }

    /// [`State::query_routes`] with each route as the text of its JSON item
    /// (`null` for what it leaves out), made once per route and kept until
    /// the route changes: a page costs its routes' bytes, not their
    /// serialization.
    pub(crate) fn query_routes_json(&self, query: &RouteQuery) -> (usize, Vec<Arc<str>>) {
        let mut guard = self.lock();
        let inner = &mut *guard;
        // The cached items first, under a shared borrow of the keys; then
        // the ones no page has made since their route last changed.
        let (total, mut items, missing) = {
            let (total, keys) = inner.page_keys(query);
            let mut items: Vec<Option<Arc<str>>> = Vec::with_capacity(keys.len());
            let mut missing = Vec::new();
            for key in keys {
                match inner.routes.cached_json(&key) {
                    Some(json) => items.push(Some(json.clone())),
                    None => {
                        missing.push((items.len(), key.into_owned()));
                        items.push(None);
                    }
                }
            }
            (total, items, missing)
        };
        for (at, key) in missing {
            items[at] = inner.route_json(key);
        }
        (total, items.into_iter().flatten().collect())
    }

    /// The access codes that match `query`, in the seed's order: the total
    /// and the page.
    pub(crate) fn query_access_codes(
        &self,
        query: &AccessCodeQuery,
    ) -> (usize, Vec<types::AccessCodeInfo>) {
        let inner = self.lock();
        let matching: Vec<&AccessCodeRecord> = inner
            .access_codes
            .iter()
            .filter(|code| access_code_matches(code, query))
            .collect();
        let page = matching
            .iter()
            .skip(query.paging.offset)
            .take(query.paging.limit)
            .map(|code| code.to_wire())
            .collect();
        (matching.len(), page)
    }

    /// The skill queues that match `query`, by `skillId`: the total and
    /// the page.
    pub(crate) fn query_skills(&self, query: &SkillQuery) -> (usize, Vec<types::SkillQueue>) {
        let inner = self.lock();
        let matching: Vec<(&u32, &SkillQueue)> = inner
            .skill_queues
            .iter()
            .filter(|(id, queue)| skill_matches(**id, queue, query))
            .collect();
        let page = matching
            .iter()
            .skip(query.paging.offset)
            .take(query.paging.limit)
            .map(|(id, queue)| queue.to_wire(**id))
            .collect();
        (matching.len(), page)
    }

    /// Every IVR flow, by `id`.
    pub(crate) fn ivr_flows(&self) -> Vec<types::IvrFlow> {
        self.lock()
            .ivr_flows
            .iter()
            .map(|(id, flow)| flow.to_wire(*id))
            .collect()
    }

    /// Every route, by dnid.
    pub(crate) fn all(&self) -> Vec<SandboxRoute> {
        self.lock().routes.by_dnid_order().cloned().collect()
    }

    /// Every access code, in the seed's order.
    pub(crate) fn access_codes(&self) -> Vec<types::AccessCodeInfo> {
        self.lock()
            .access_codes
            .iter()
            .map(AccessCodeRecord::to_wire)
            .collect()
    }
}

/// The route query's matching: access code exact; extension code: the
/// route's is a prefix of the one asked for (`""` included); device type
/// exact; device name contains the text (ignoring case); each media type
/// asked for exact, and a route without one matches every media type.
fn route_matches(inner: &Inner, route: &SandboxRoute, query: &RouteQuery) -> bool {
    let access_ok = query
        .access_code
        .as_deref()
        .is_none_or(|code| route.access_code == code);
    let ext_ok = query
        .ext_code
        .as_deref()
        .is_none_or(|ext| ext.starts_with(route.ext_code.as_deref().unwrap_or_default()));
    let type_ok = query
        .device_type
        .is_none_or(|t| route.device.device_type() == t);
    let desc_ok = query.device_desc.as_deref().is_none_or(|text| {
        inner
            .device_name(route.device)
            .is_some_and(|name| contains_ignoring_case(name, text))
    });
    let media_ok = query
        .media_types
        .iter()
        .all(|m| route.media_type.is_none_or(|own| own == *m));
    access_ok && ext_ok && type_ok && desc_ok && media_ok
}

/// The access-code query's matching: the code contains the text; media
/// type exact; the description contains the text (ignoring case), and an
/// access code without one matches every description.
fn access_code_matches(code: &AccessCodeRecord, query: &AccessCodeQuery) -> bool {
    let code_ok = query
        .access_code
        .as_deref()
        .is_none_or(|text| contains_ignoring_case(&code.code, text));
    let media_ok = query.media_type.is_none_or(|m| code.media == m);
    let desc_ok = query.description.as_deref().is_none_or(|text| {
        code.description
            .as_deref()
            .is_none_or(|own| contains_ignoring_case(own, text))
    });
    code_ok && media_ok && desc_ok
}

/// The skill-queue query's matching: the name contains the text (ignoring
/// case); media type exact; the id among those asked for, when any are.
fn skill_matches(id: u32, queue: &SkillQueue, query: &SkillQuery) -> bool {
    let name_ok = query
        .name
        .as_deref()
        .is_none_or(|text| contains_ignoring_case(&queue.name, text));
    let media_ok = query.media_type.is_none_or(|m| queue.media == m);
    let id_ok = query.skill_ids.is_empty() || query.skill_ids.contains(&u64::from(id));
    name_ok && media_ok && id_ok
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

#[cfg(test)]
impl State {
    /// Panics unless the route indexes agree with a plain scan.
    fn assert_indexes_agree_with_a_scan(&self) {
        let inner = self.lock();
        inner.routes.assert_indexes_agree_with_a_scan();
        for (position, code) in inner.access_codes.iter().enumerate() {
            assert_eq!(inner.access_code_positions.get(&code.code), Some(&position));
        }
        assert_eq!(inner.access_code_positions.len(), inner.access_codes.len());
        let highest = inner.routes.by_dnid_order().map(|r| r.dnid).max();
        assert!(
            highest <= Some(inner.last_dnid),
            "dnids stay at or below the last one"
        );
    }

    /// [`State::query_routes`] as a plain scan: every route filtered, sorted
    /// by id, then paged.
    fn query_routes_by_scan(&self, query: &RouteQuery) -> (usize, Vec<types::CalledRouteInfo>) {
        let inner = self.lock();
        let mut matching: Vec<&SandboxRoute> = inner
            .routes
            .by_dnid_order()
            .filter(|route| route_matches(&inner, route, query))
            .collect();
        matching.sort_by(|a, b| (a.id.len(), &a.id).cmp(&(b.id.len(), &b.id)));
        let page = matching
            .iter()
            .skip(query.paging.offset)
            .take(query.paging.limit)
            .map(|route| inner.to_wire(route))
            .collect();
        (matching.len(), page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::ID_BASE;

    fn state() -> State {
        State::new(&Seed::default())
    }

    fn route(access_code: &str, ext: Option<&str>, device: Device) -> CalledRoute {
        let route = CalledRoute::new(access_code, device).unwrap();
        match ext {
            Some(ext) => route.with_ext_code(ext).unwrap(),
            None => route,
        }
    }

    fn every(paging_limit: usize) -> RouteQuery {
        RouteQuery {
            access_code: None,
            ext_code: None,
            device_type: None,
            device_desc: None,
            media_types: Vec::new(),
            paging: Paging {
                limit: paging_limit,
                offset: 0,
            },
        }
    }

    #[test]
    fn ids_have_19_digits_and_exceed_2_pow_53() {
        let stored = state()
            .create(&route("9911411", None, Device::SkillQueue(2)))
            .unwrap();
        assert_eq!(stored.id.len(), 19);
        assert!(stored.id.parse::<u64>().unwrap() > 1 << 53);
        assert_eq!(stored.dnid, 1);
    }

    #[test]
    fn new_ids_skip_the_ids_a_seed_took() {
        let state = State::new(&Seed::documented_examples());
        let stored = state
            .create(&route("9911411", Some("2"), Device::SkillQueue(2)))
            .unwrap();
        assert_eq!(stored.dnid, 4);
        assert_eq!(stored.id, (ID_BASE + 4).to_string());
        let taken = (ID_BASE + 5).to_string();
        assert_eq!(
            free_route_id(5, |id| id == taken),
            (ID_BASE + 6).to_string()
        );
    }

    #[test]
    fn an_access_code_without_extension_is_one_key() {
        let state = state();
        state
            .create(&route("9911411", None, Device::SkillQueue(2)))
            .unwrap();
        let again = state
            .create(&route("9911411", None, Device::Ivr(7)))
            .unwrap_err();
        assert_eq!(again.code, return_code::DUPLICATE);
        state
            .create(&route("9911411", Some("1"), Device::Ivr(7)))
            .unwrap();
    }

    #[test]
    fn a_refused_create_takes_no_dnid() {
        let state = state();
        let unknown = state
            .create(&route("1", None, Device::SkillQueue(2)))
            .unwrap_err();
        assert_eq!(unknown.code, return_code::ACCESS_CODE_NOT_FOUND);
        assert_eq!(
            state
                .create(&route("9911411", None, Device::SkillQueue(2)))
                .unwrap()
                .dnid,
            1
        );
    }

    #[test]
    fn the_route_query_reads_the_documented_example_as_prefix_and_null_matches() {
        let state = State::new(&Seed::documented_examples());
        let query = RouteQuery {
            access_code: Some("9911411".into()),
            ext_code: Some("11".into()),
            device_type: Some(1),
            device_desc: Some("defaultVideoSkill".into()),
            media_types: vec![MediaType::Video],
            paging: Paging {
                limit: 10,
                offset: 0,
            },
        };
        let (total, page) = state.query_routes(&query);
        assert_eq!(total, 3);
        let dnids: Vec<Option<i64>> = page.iter().map(|r| r.dnid).collect();
        assert_eq!(dnids, [Some(3), Some(1), Some(2)], "ordered by id");

        let narrower = RouteQuery {
            ext_code: Some("1".into()),
            ..query.clone()
        };
        assert_eq!(state.query_routes(&narrower).0, 2);
        let voice = RouteQuery {
            media_types: vec![MediaType::VoiceAndVideo],
            ..query
        };
        assert_eq!(
            state.query_routes(&voice).0,
            1,
            "only the route without one"
        );
    }

    #[test]
    fn a_limit_of_0_answers_only_the_total() {
        let state = State::new(&Seed::documented_examples());
        let (total, page) = state.query_routes(&every(0));
        assert_eq!((total, page.len()), (3, 0));
    }

    #[test]
    fn deletion_reports_missing_and_undeletable_routes_as_failed() {
        let state = State::new(&Seed::documented_examples());
        let outcome = state.delete(&[2, 2, 9]);
        assert_eq!(outcome.names(), ["99114111"]);
        assert_eq!(
            outcome.failed,
            [("dnid 9".to_owned(), "no such route".to_owned())]
        );
        assert_eq!(state.all().len(), 2);
    }

    mod indexes {
        //! Any sequence of creates, modifies and deletes leaves the indexes
        //! agreeing with a plain scan of the routes.

        use proptest::prelude::*;

        use super::*;

        /// The access codes ops pick from: the default seed's three and one
        /// the tenant does not have.
        const CODES: [&str; 4] = ["9911411", "9911412", "9911413", "4000"];

        #[derive(Clone, Debug)]
        enum Op {
            Create {
                code: usize,
                ext: Option<u8>,
                device: Device,
                media: Option<MediaType>,
            },
            /// The route at `pick` (modulo how many there are), or an id no
            /// route has.
            Modify { pick: Option<usize>, device: Device },
            /// The routes at `picks`, and a dnid no route has.
            Delete { picks: Vec<usize>, unknown: bool },
        }

        fn device() -> impl Strategy<Value = Device> {
            prop_oneof![
                (1u32..=6).prop_map(Device::SkillQueue),
                (7u32..=9).prop_map(Device::Ivr),
            ]
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                5 => (
                    0..CODES.len(),
                    prop::option::of(0u8..8),
                    device(),
                    prop::option::of(prop::sample::select(MediaType::ALL.to_vec())),
                )
                    .prop_map(|(code, ext, device, media)| Op::Create {
                        code,
                        ext,
                        device,
                        media,
                    }),
                2 => (prop::option::of(any::<usize>()), device())
                    .prop_map(|(pick, device)| Op::Modify { pick, device }),
                2 => (prop::collection::vec(any::<usize>(), 0..4), any::<bool>())
                    .prop_map(|(picks, unknown)| Op::Delete { picks, unknown }),
            ]
        }

        /// Queries the index serves in part or in whole, each paged a few ways.
        fn queries() -> Vec<RouteQuery> {
            let mut queries = Vec::new();
            for paging in [(100, 0), (2, 1), (3, 5), (0, 0)] {
                let base = RouteQuery {
                    paging: Paging {
                        limit: paging.0,
                        offset: paging.1,
                    },
                    ..every(0)
                };
                queries.push(base.clone());
                queries.push(RouteQuery {
                    access_code: Some("9911411".into()),
                    ..base.clone()
                });
                queries.push(RouteQuery {
                    access_code: Some("4000".into()),
                    ..base.clone()
                });
                queries.push(RouteQuery {
                    access_code: Some("9911411".into()),
                    media_types: vec![MediaType::VoiceAndVideo],
                    ..base.clone()
                });
                queries.push(RouteQuery {
                    ext_code: Some("12".into()),
                    device_type: Some(3),
                    ..base
                });
            }
            queries
        }

        fn apply(state: &State, op: &Op) {
            match op {
                Op::Create {
                    code,
                    ext,
                    device,
                    media,
                } => {
                    let mut route = CalledRoute::new(CODES[*code], *device).unwrap();
                    if let Some(ext) = ext {
                        route = route.with_ext_code(ext.to_string()).unwrap();
                    }
                    if let Some(media) = media {
                        // An IVR flow on multimedia is refused before the state.
                        match route.clone().with_media_type(*media) {
                            Ok(with_media) => route = with_media,
                            Err(_) => return,
                        }
                    }
                    let existed = state.all().iter().any(|r| {
                        r.access_code == route.access_code()
                            && r.ext_code.as_deref() == route.ext_code()
                    });
                    match state.create(&route) {
                        Ok(_) => assert!(!existed, "created a duplicate of {route}"),
                        Err(refusal) if refusal.code == return_code::DUPLICATE => {
                            assert!(existed, "refused {route} as a duplicate")
                        }
                        Err(_) => {}
                    }
                }
                Op::Modify { pick, device } => {
                    let routes = state.all();
                    let id = match pick {
                        Some(pick) if !routes.is_empty() => routes[pick % routes.len()].id.clone(),
                        _ => "1".to_owned(),
                    };
                    let _ = state.modify(&id, *device);
                }
                Op::Delete { picks, unknown } => {
                    let routes = state.all();
                    let mut dnids: Vec<u64> = if routes.is_empty() {
                        Vec::new()
                    } else {
                        picks
                            .iter()
                            .map(|p| routes[p % routes.len()].dnid)
                            .collect()
                    };
                    if *unknown {
                        dnids.push(u64::MAX);
                    }
                    let _ = state.delete(&dnids);
                }
            }
        }

        proptest! {
            #[test]
            fn any_sequence_of_changes_leaves_the_indexes_agreeing_with_a_scan(
                documented in any::<bool>(),
                ops in prop::collection::vec(op(), 0..40),
            ) {
                let seed = if documented { Seed::documented_examples() } else { Seed::default() };
                let state = State::new(&seed);
                for op in &ops {
                    apply(&state, op);
                    state.assert_indexes_agree_with_a_scan();
                    for query in queries() {
                        let scanned = state.query_routes_by_scan(&query);
                        prop_assert_eq!(
                            &state.query_routes(&query),
                            &scanned,
                            "{:?} after {:?}", query, op
                        );
                        // The kept JSON items are never stale.
                        let (total, items) = state.query_routes_json(&query);
                        let fresh: Vec<String> =
                            scanned.1.iter().map(listing::route_item_json).collect();
                        let kept: Vec<&str> = items.iter().map(|item| &**item).collect();
                        prop_assert_eq!((total, kept), (scanned.0, fresh.iter().map(String::as_str).collect::<Vec<_>>()),
                            "JSON of {:?} after {:?}", query, op);
                    }
                }
            }
        }
    }
}
