//! Listing the tenant's skill queues: `querySkills`, the [`SkillQueue`]s it
//! returns, and the [`SkillQueueFilter`] that selects them.
//!
//! A queue's id is what a route to it takes as `deviceId`, and its media
//! type is the media type that route must have (the documented rule 1).

use serde::{Deserialize, Serialize};

use crate::{
    client::Client,
    envelope::check_return_code,
    error::Error,
    generated::types,
    listed::Listed,
    media_type::MediaType,
    paging::{self, Listing, Page, RawPage},
};

/// A skill queue of the tenant, as [`Client::skill_queues`] lists it.
///
/// Its fields are public to read and to change; new ones may come, so
/// outside this crate a `SkillQueue` is made with [`SkillQueue::new`] (for
/// tests and fixtures) or decoded with [`SkillQueue::from_wire`].
///
/// # Examples
///
/// ```
/// use cec_routes::{Listed, MediaType, targets::SkillQueue};
///
/// let queue = SkillQueue::new(1, "defaultVideoSkill", MediaType::Video);
/// assert_eq!(queue.media_type, Listed::Known(MediaType::Video));
/// assert_eq!(queue.device_id(), Some(1));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SkillQueue {
    /// The queue's id (`skillId`): a route to it takes this as `deviceId`.
    pub id: Option<i64>,
    /// The queue's name, as CEC shows it.
    pub name: Option<String>,
    /// The queue's short name or description.
    pub description: Option<String>,
    /// The media type bound to the queue, which a route to it must have.
    /// A queue CEC lists without one counts as voice and video (5), as
    /// createCalledRoute documents.
    pub media_type: Listed<MediaType>,
    /// Wrap-up time after a call, in seconds.
    pub max_agent_wrapup_time: Option<i64>,
    /// Longest time a caller queues, in seconds.
    pub max_wait_time: Option<i64>,
    /// Most callers waiting at once.
    pub max_wait_num: Option<i64>,
}

impl SkillQueue {
    /// The queue `id` named `name`, of media type `media_type`, with
    /// nothing else known.
    pub fn new(id: u32, name: impl Into<String>, media_type: MediaType) -> Self {
        SkillQueue {
            id: Some(i64::from(id)),
            name: Some(name.into()),
            description: None,
            media_type: Listed::Known(media_type),
            max_agent_wrapup_time: None,
            max_wait_time: None,
            max_wait_num: None,
        }
    }

    /// Decodes one listed skill queue. Never fails: a missing media type
    /// is voice and video (5), an undocumented one is kept raw.
    pub fn from_wire(queue: &types::SkillQueue) -> Self {
        SkillQueue {
            id: queue.skill_id,
            name: queue.name.clone(),
            description: queue.description.clone(),
            media_type: queue
                .media_type_id
                .map_or(Listed::Known(MediaType::VoiceAndVideo), MediaType::listed),
            max_agent_wrapup_time: queue.max_agent_wrapup_time,
            max_wait_time: queue.max_wait_time,
            max_wait_num: queue.max_wait_num,
        }
    }

    /// The id as a route's `deviceId` takes it, when it fits one.
    pub fn device_id(&self) -> Option<u32> {
        self.id
            .and_then(|id| u32::try_from(id).ok())
            .filter(|id| i32::try_from(*id).is_ok())
    }
}

/// Which skill queues to list; every filter is optional.
///
/// # Examples
///
/// ```
/// use cec_routes::{MediaType, targets::SkillQueueFilter};
///
/// let filter = SkillQueueFilter::new()
///     .name("defaultVideoSkill")?
///     .media_type(MediaType::Video)
///     .ids([1, 2]);
/// # Ok::<(), cec_routes::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[must_use]
pub struct SkillQueueFilter {
    name: Option<types::SkillName>,
    media_type: Option<MediaType>,
    ids: Vec<u32>,
}

impl SkillQueueFilter {
    /// Every skill queue.
    pub fn new() -> Self {
        SkillQueueFilter::default()
    }

    /// Queues by this name (at most 100 characters, none of those CEC
    /// forbids in a name). Whether CEC matches the whole name or a part is
    /// not documented; compare the names listed when one queue is wanted.
    pub fn name(mut self, name: &str) -> Result<Self, Error> {
        self.name = Some(types::SkillName::try_from(name).map_err(|_| {
            Error::invalid(
                "name",
                format!(
                    "`{name}` is not a skill-queue name: at most 100 characters, \
                             no spaces and none of `~!#$%^&*()+=|{{}}':;,<>/?"
                ),
            )
        })?);
        Ok(self)
    }

    /// Queues of this media type.
    pub fn media_type(mut self, media_type: MediaType) -> Self {
        self.media_type = Some(media_type);
        self
    }

    /// Only the queues with these ids.
    pub fn ids(mut self, ids: impl IntoIterator<Item = u32>) -> Self {
        self.ids = ids.into_iter().collect();
        self
    }

    /// The request for one page of `limit` queues from `offset`, every
    /// number written as a string (the request table's type).
    fn to_request(&self, offset: u32, limit: u32) -> Result<types::QuerySkillsRequest, Error> {
        let text = |field: &'static str, value: String| {
            move |e: types::error::ConversionError| Error::invalid(field, format!("{value}: {e}"))
        };
        Ok(types::QuerySkillsRequest {
            name: self.name.clone(),
            media_type_id: self.media_type.map(skill_media_type),
            limit: Some(types::SkillPageLimit::Text(
                types::SkillPageLimitText::try_from(limit.to_string())
                    .map_err(text("limit", limit.to_string()))?,
            )),
            offset: Some(types::SkillPageOffset::Text(
                types::SkillPageOffsetText::try_from(offset.to_string())
                    .map_err(text("offset", offset.to_string()))?,
            )),
            skill_ids: self
                .ids
                .iter()
                .map(|id| {
                    types::SkillIdText::try_from(id.to_string())
                        .map_err(text("skillIds", id.to_string()))
                })
                .collect::<Result<_, _>>()?,
        })
    }
}

/// The filter's string for a media type.
fn skill_media_type(media: MediaType) -> types::SkillMediaTypeFilter {
    match media {
        MediaType::VoiceClickToDial => types::SkillMediaTypeFilter::X2,
        MediaType::VoiceAndVideo => types::SkillMediaTypeFilter::X5,
        MediaType::VideoClickToDial => types::SkillMediaTypeFilter::X18,
        MediaType::Video => types::SkillMediaTypeFilter::X19,
        MediaType::Multimedia => types::SkillMediaTypeFilter::X53,
    }
}

impl Listing for SkillQueueFilter {
    type Item = SkillQueue;
    const OPERATION: &'static str = "querySkills";

    async fn fetch(
        &self,
        client: &Client,
        offset: u32,
        limit: u32,
    ) -> Result<RawPage<SkillQueue>, Error> {
        paging::wire_int(offset)?;
        let body = &self.to_request(offset, limit)?;
        let response = client
            .call(Self::OPERATION, |raw| async move {
                raw.query_skills(body).await
            })
            .await?
            .into_inner();
        check_return_code(
            Self::OPERATION,
            response.return_code.as_deref(),
            response.description.as_deref(),
        )?;
        Ok(RawPage {
            total: response.total.and_then(|t| u64::try_from(t).ok()),
            items: response
                .data
                .unwrap_or_default()
                .iter()
                .map(SkillQueue::from_wire)
                .collect(),
        })
    }

    fn admits(&self, queue: &SkillQueue) -> bool {
        let media = self
            .media_type
            .is_none_or(|wanted| queue.media_type.known() == Some(&wanted));
        let id = self.ids.is_empty() || queue.device_id().is_some_and(|id| self.ids.contains(&id));
        media && id
    }

    fn key(queue: &SkillQueue) -> String {
        match queue.id {
            Some(id) => format!("id:{id}"),
            None => format!("{queue:?}"),
        }
    }
}

impl Client {
    /// Every skill queue that matches `filter`: querySkills, page after
    /// page of 100, as [`access_codes`](Client::access_codes) does.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use cec_routes::{Client, MediaType, targets::SkillQueueFilter};
    ///
    /// # async fn run(client: Client) -> Result<(), cec_routes::Error> {
    /// let filter = SkillQueueFilter::new().media_type(MediaType::Video);
    /// for queue in client.skill_queues(&filter).await? {
    ///     println!("{:?} {:?}", queue.id, queue.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn skill_queues(&self, filter: &SkillQueueFilter) -> Result<Vec<SkillQueue>, Error> {
        paging::list_all(self, filter).await
    }

    /// One page of skill queues: `limit` (1 to 100) from `offset`.
    pub async fn skill_queues_page(
        &self,
        filter: &SkillQueueFilter,
        offset: u32,
        limit: u32,
    ) -> Result<Page<SkillQueue>, Error> {
        paging::list_page(self, filter, offset, limit).await
    }
}
