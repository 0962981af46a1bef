//! The blast-radius guard: a plan that deletes or replaces a large share of
//! the routes it manages is held back until the operator says so. A routes
//! file cut short (a bad merge, a half-written export) would otherwise
//! prune every route it lost.

use std::fmt;

use super::diff::{ChangeKind, Plan};

/// The share of managed routes a plan may delete or replace unless forced.
pub const DEFAULT_MAX_CHANGE: f64 = 0.3;

/// A plan managing fewer live routes than this is never held back: one
/// delete of three routes is a third, and no accident.
pub const GUARD_MIN_MANAGED: usize = 10;

/// How many of the routes a plan manages it deletes or replaces.
///
/// # Examples
///
/// ```
/// use cec_routes::plan::{BlastRadius, DEFAULT_MAX_CHANGE};
///
/// let radius = BlastRadius::new(20, 50);
/// assert!(radius.exceeds(DEFAULT_MAX_CHANGE));
/// assert_eq!(radius.to_string(), "the plan deletes or replaces 20 of the 50 routes it manages (40%)");
/// assert!(!BlastRadius::new(5, 9).exceeds(DEFAULT_MAX_CHANGE), "too few to judge");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlastRadius {
    /// How many changes delete a route (deletes and replaces).
    pub destructive: usize,
    /// How many live routes under the file's access codes the plan manages.
    pub managed: usize,
}

impl BlastRadius {
    /// `destructive` of `managed` routes.
    pub fn new(destructive: usize, managed: usize) -> Self {
        BlastRadius {
            destructive,
            managed,
        }
    }

    /// The deletes and replaces of `plan` against the routes it manages
    /// ([`Plan::managed`]).
    pub fn of(plan: &Plan) -> Self {
        BlastRadius::new(
            plan.count(ChangeKind::Delete) + plan.count(ChangeKind::Replace),
            plan.managed(),
        )
    }

    /// The share deleted or replaced, from 0 to 1 (0 when nothing is managed).
    pub fn share(&self) -> f64 {
        if self.managed == 0 {
            0.0
        } else {
            self.destructive as f64 / self.managed as f64
        }
    }

    /// Whether the plan should be held back: it manages at least
    /// [`GUARD_MIN_MANAGED`] routes and deletes or replaces more than
    /// `max_change` (a share, 0.3 for 30 %) of them.
    pub fn exceeds(&self, max_change: f64) -> bool {
        self.managed >= GUARD_MIN_MANAGED && self.share() > max_change
    }
}

impl fmt::Display for BlastRadius {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the plan deletes or replaces {} of the {} routes it manages ({:.0}%)",
            self.destructive,
            self.managed,
            self.share() * 100.0
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_holds_back_more_than_the_share_of_ten_or_more_routes() {
        assert!(!BlastRadius::new(3, 10).exceeds(0.3), "exactly 30 % passes");
        assert!(BlastRadius::new(4, 10).exceeds(0.3));
        assert!(
            !BlastRadius::new(9, 9).exceeds(0.3),
            "fewer than 10 managed"
        );
        assert!(!BlastRadius::new(0, 0).exceeds(0.0));
        assert!(
            BlastRadius::new(1, 10).exceeds(0.0),
            "0 holds back any delete"
        );
        assert!(!BlastRadius::new(10, 10).exceeds(1.0));
        assert_eq!(BlastRadius::new(1, 4).share(), 0.25);
    }
}
