//! The sandbox's routes, in memory, keyed by access code and extension code.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard, PoisonError},
};

use crate::{CalledRoute, Device, MediaType};

/// The first route's `id` is this plus its `dnid` (1): 19 digits, above
/// 2^53, as CEC's ids are.
const ID_BASE: u64 = 1_127_983_948_544_239_616;

/// A route the sandbox holds.
///
/// # Examples
///
/// ```
/// use cec_routes::{CalledRoute, Device, sandbox::Sandbox};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), cec_routes::Error> {
/// let sandbox = Sandbox::start().await?;
/// let client = sandbox.client_builder().build()?;
/// client.create_called_route(&CalledRoute::new("9911411", Device::Ivr(7))?).await?;
///
/// let route = &sandbox.routes()[0];
/// assert_eq!((route.dnid, route.id.as_str()), (1, "1127983948544239617"));
/// assert_eq!(route.ext_code, None);
/// assert_eq!(route.device, Device::Ivr(7));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxRoute {
    /// The route's id (`id` in CEC's queries): a 19-digit decimal string.
    pub id: String,
    /// The configuration number (`dnid`): 1 for the first route, then 2, 3, …
    pub dnid: u64,
    /// The access code.
    pub access_code: String,
    /// The extension code, when the create sent one.
    pub ext_code: Option<String>,
    /// The device that takes the calls.
    pub device: Device,
    /// The media type, when the create sent one (CEC then uses 5).
    pub media_type: Option<MediaType>,
}

/// A route's identity: access code and extension code, with no extension
/// code and `""` the same.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    access_code: String,
    ext_code: String,
}

impl Key {
    fn new(access_code: &str, ext_code: Option<&str>) -> Self {
        Key {
            access_code: access_code.to_owned(),
            ext_code: ext_code.unwrap_or_default().to_owned(),
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    routes: HashMap<Key, SandboxRoute>,
    last_dnid: u64,
}

/// Every route, behind one lock.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    inner: Mutex<Inner>,
}

impl Routes {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // `create` checks, then changes the state in steps that cannot panic,
        // so the state is consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `route` and returns it with its `id` and `dnid`; or, when its
    /// access code and extension code are taken, the route holding them.
    pub(crate) fn create(&self, route: &CalledRoute) -> Result<SandboxRoute, SandboxRoute> {
        let key = Key::new(route.access_code(), route.ext_code());
        let mut inner = self.lock();
        if let Some(existing) = inner.routes.get(&key) {
            return Err(existing.clone());
        }
        // u64 does not overflow here: that would take 10^19 creates.
        let dnid = inner.last_dnid + 1;
        let stored = SandboxRoute {
            id: (ID_BASE + dnid).to_string(),
            dnid,
            access_code: route.access_code().to_owned(),
            ext_code: route.ext_code().map(str::to_owned),
            device: route.device(),
            media_type: route.media_type(),
        };
        inner.last_dnid = dnid;
        inner.routes.insert(key, stored.clone());
        Ok(stored)
    }

    /// Every route, in creation order.
    pub(crate) fn all(&self) -> Vec<SandboxRoute> {
        let mut routes: Vec<SandboxRoute> = self.lock().routes.values().cloned().collect();
        routes.sort_by_key(|route| route.dnid);
        routes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_19_digits_and_exceed_2_pow_53() {
        let routes = Routes::default();
        let route = CalledRoute::new("9911411", Device::SkillQueue(1)).unwrap();
        let stored = routes.create(&route).unwrap();
        assert_eq!(stored.id.len(), 19);
        assert!(stored.id.parse::<u64>().unwrap() > 1 << 53);
        assert_eq!(stored.dnid, 1);
    }

    #[test]
    fn an_access_code_without_extension_is_one_key() {
        assert_eq!(Key::new("9911411", None), Key::new("9911411", Some("")));
        assert_ne!(Key::new("9911411", None), Key::new("9911411", Some("1")));
    }

    #[test]
    fn a_refused_duplicate_takes_no_dnid() {
        let routes = Routes::default();
        let first = CalledRoute::new("1", Device::SkillQueue(1)).unwrap();
        routes.create(&first).unwrap();
        assert_eq!(routes.create(&first).unwrap_err().dnid, 1);
        let second = CalledRoute::new("2", Device::SkillQueue(1)).unwrap();
        assert_eq!(routes.create(&second).unwrap().dnid, 2);
        let dnids: Vec<u64> = routes.all().iter().map(|r| r.dnid).collect();
        assert_eq!(dnids, [1, 2]);
    }
}
