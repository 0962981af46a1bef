//! The routes the sandbox holds, with the indexes that keep each operation's
//! cost from growing with the tenant: a create finds a duplicate and a free
//! id by lookup, a modify its route by id, a delete by dnid, and a listing
//! page starts at its offset in the routes' order (all of them, or one
//! access code's) instead of sorting them or walking the routes before it.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use cec_routes::Device;

use crate::{ranked::Ranked, tenant::SandboxRoute};

/// A route's place in listings: by id, numerically (a shorter decimal
/// string first, then digit by digit).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct ListingKey {
    len: usize,
    id: String,
}

impl ListingKey {
    pub(crate) fn of(id: &str) -> Self {
        ListingKey {
            len: id.len(),
            id: id.to_owned(),
        }
    }
}

/// The routes of one access code.
#[derive(Debug, Default)]
struct AccessCodeRoutes {
    /// By extension code (`""` for none): a route's key is its access code
    /// and extension code.
    by_ext: HashMap<String, ListingKey>,
    /// In listing order, with rank access.
    listed: Ranked<ListingKey>,
}

/// Every route, and its indexes. Each change goes through [`Routes::insert`],
/// [`Routes::remove`] or [`Routes::set_device`], which keep them in step.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    /// Every route, in listing order.
    listed: BTreeMap<ListingKey, SandboxRoute>,
    /// The keys of `listed`, with rank access: where a page starts.
    order: Ranked<ListingKey>,
    /// Each route's listing key, by dnid.
    by_dnid: BTreeMap<u64, ListingKey>,
    /// The routes of each access code.
    by_access_code: HashMap<String, AccessCodeRoutes>,
    /// Each listed route's JSON item, by listing key (so a page of cached
    /// items needs no lookup of the routes themselves), made the first time
    /// a page holds it and dropped when the route changes or goes.
    json: HashMap<ListingKey, Arc<str>, foldhash::fast::RandomState>,
}

impl Routes {
    /// Adds `route`. Its id, dnid and key (access code and extension code)
    /// must be free: the caller checked them (a seed when it was made, a
    /// create under the lock); debug builds assert it.
    pub(crate) fn insert(&mut self, route: SandboxRoute) {
        let key = ListingKey::of(&route.id);
        debug_assert!(
            !self.listed.contains_key(&key)
                && !self.by_dnid.contains_key(&route.dnid)
                && self
                    .with_key(&route.access_code, route.ext_code.as_deref())
                    .is_none(),
            "route {route:?} is not free"
        );
        let bucket = self
            .by_access_code
            .entry(route.access_code.clone())
            .or_default();
        bucket
            .by_ext
            .insert(route.ext_code.clone().unwrap_or_default(), key.clone());
        bucket.listed.insert(key.clone());
        self.by_dnid.insert(route.dnid, key.clone());
        self.order.insert(key.clone());
        self.listed.insert(key, route);
    }

    /// Removes the route with this dnid.
    pub(crate) fn remove(&mut self, dnid: u64) -> Option<SandboxRoute> {
        let key = self.by_dnid.remove(&dnid)?;
        let route = self.listed.remove(&key)?;
        self.order.remove(&key);
        self.json.remove(&key);
        if let Some(bucket) = self.by_access_code.get_mut(&route.access_code) {
            bucket
                .by_ext
                .remove(route.ext_code.as_deref().unwrap_or_default());
            bucket.listed.remove(&key);
            if bucket.listed.is_empty() {
                self.by_access_code.remove(&route.access_code);
            }
        }
        Some(route)
    }

    /// Points the route with this id at `device` (no index holds devices).
    pub(crate) fn set_device(&mut self, id: &str, device: Device) -> Option<&SandboxRoute> {
        let key = ListingKey::of(id);
        let route = self.listed.get_mut(&key)?;
        route.device = device;
        self.json.remove(&key);
        Some(route)
    }

    /// The JSON item of the route with this listing key, if a page made it
    /// since the route last changed.
    pub(crate) fn cached_json(&self, key: &ListingKey) -> Option<&Arc<str>> {
        self.json.get(key)
    }

    /// Keeps the JSON item of the route with this listing key, until it
    /// changes.
    pub(crate) fn cache_json(&mut self, key: ListingKey, json: Arc<str>) {
        if self.listed.contains_key(&key) {
            self.json.insert(key, json);
        }
    }

    /// The route with this listing key.
    pub(crate) fn by_key(&self, key: &ListingKey) -> Option<&SandboxRoute> {
        self.listed.get(key)
    }

    /// The route with this dnid.
    pub(crate) fn by_dnid(&self, dnid: u64) -> Option<&SandboxRoute> {
        self.listed.get(self.by_dnid.get(&dnid)?)
    }

    /// The route with this id.
    pub(crate) fn by_id(&self, id: &str) -> Option<&SandboxRoute> {
        self.listed.get(&ListingKey::of(id))
    }

    /// Whether a route has this id.
    pub(crate) fn id_taken(&self, id: &str) -> bool {
        self.listed.contains_key(&ListingKey::of(id))
    }

    /// The route with this access code and extension code (none and `""`
    /// are the same).
    pub(crate) fn with_key(
        &self,
        access_code: &str,
        ext_code: Option<&str>,
    ) -> Option<&SandboxRoute> {
        let key = self
            .by_access_code
            .get(access_code)?
            .by_ext
            .get(ext_code.unwrap_or_default())?;
        self.listed.get(key)
    }

    /// Every route, in listing order.
    pub(crate) fn listed(&self) -> impl Iterator<Item = &SandboxRoute> {
        self.listed.values()
    }

    /// The routes from the `offset`-th (0-based) on, in listing order.
    pub(crate) fn listed_from(&self, offset: usize) -> impl Iterator<Item = &SandboxRoute> {
        self.keys_from(offset)
            .filter_map(|key| self.listed.get(key))
    }

    /// The listing keys of every route from the `offset`-th (0-based) on,
    /// in listing order.
    pub(crate) fn keys_from(&self, offset: usize) -> impl Iterator<Item = &ListingKey> {
        self.order.iter_from(offset)
    }

    /// The routes of one access code, in listing order.
    pub(crate) fn listed_for<'a>(
        &'a self,
        access_code: &str,
    ) -> impl Iterator<Item = &'a SandboxRoute> + 'a {
        self.listed_for_from(access_code, 0)
    }

    /// The routes of one access code from its `offset`-th (0-based) on, in
    /// listing order.
    pub(crate) fn listed_for_from<'a>(
        &'a self,
        access_code: &str,
        offset: usize,
    ) -> impl Iterator<Item = &'a SandboxRoute> + 'a {
        self.keys_for_from(access_code, offset)
            .filter_map(|key| self.listed.get(key))
    }

    /// The listing keys of one access code's routes from its `offset`-th
    /// (0-based) on, in listing order.
    pub(crate) fn keys_for_from<'a>(
        &'a self,
        access_code: &str,
        offset: usize,
    ) -> impl Iterator<Item = &'a ListingKey> + 'a {
        self.by_access_code
            .get(access_code)
            .into_iter()
            .flat_map(move |bucket| bucket.listed.iter_from(offset))
    }

    /// How many routes one access code has.
    pub(crate) fn count_for(&self, access_code: &str) -> usize {
        self.by_access_code
            .get(access_code)
            .map_or(0, |bucket| bucket.listed.len())
    }

    /// How many routes there are.
    pub(crate) fn len(&self) -> usize {
        self.listed.len()
    }

    /// Every route, by dnid.
    pub(crate) fn by_dnid_order(&self) -> impl Iterator<Item = &SandboxRoute> {
        self.by_dnid.values().filter_map(|key| self.listed.get(key))
    }

    /// Panics unless every index says what a plain scan of the routes says.
    #[cfg(test)]
    pub(crate) fn assert_indexes_agree_with_a_scan(&self) {
        let routes: Vec<&SandboxRoute> = self.listed.values().collect();
        for (key, route) in &self.listed {
            assert_eq!(*key, ListingKey::of(&route.id), "listing key of {route:?}");
        }
        let mut by_id: Vec<&SandboxRoute> = routes.clone();
        by_id.sort_by(|a, b| (a.id.len(), &a.id).cmp(&(b.id.len(), &b.id)));
        assert_eq!(by_id, routes, "listing order is id order");

        let by_dnid: BTreeMap<u64, ListingKey> = routes
            .iter()
            .map(|route| (route.dnid, ListingKey::of(&route.id)))
            .collect();
        assert_eq!(by_dnid, self.by_dnid, "the dnid index");
        assert_eq!(by_dnid.len(), routes.len(), "dnids are unique");

        let keys: Vec<ListingKey> = self.listed.keys().cloned().collect();
        assert!(self.order.iter().eq(keys.iter()), "the ranked order");
        assert_eq!(self.order.len(), keys.len(), "the ranked order's length");

        let mut by_access_code: HashMap<&str, (HashMap<&str, ListingKey>, Vec<ListingKey>)> =
            HashMap::new();
        for route in &routes {
            let (exts, listed) = by_access_code.entry(&route.access_code).or_default();
            let ext = route.ext_code.as_deref().unwrap_or_default();
            assert!(
                exts.insert(ext, ListingKey::of(&route.id)).is_none(),
                "keys are unique: {route:?}"
            );
            listed.push(ListingKey::of(&route.id));
        }
        assert_eq!(
            by_access_code.len(),
            self.by_access_code.len(),
            "the access-code index has one entry per access code with routes"
        );
        for (code, (exts, listed)) in by_access_code {
            let bucket = &self.by_access_code[code];
            let indexed: HashMap<&str, ListingKey> = bucket
                .by_ext
                .iter()
                .map(|(ext, key)| (ext.as_str(), key.clone()))
                .collect();
            assert_eq!(indexed, exts, "the key index of {code}");
            assert!(
                bucket.listed.iter().eq(listed.iter()),
                "the listing of {code}"
            );
            assert_eq!(bucket.listed.len(), listed.len(), "the count of {code}");
        }
    }
}
