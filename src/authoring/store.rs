//! A policy that a long-running service can reload safely.

use arc_swap::ArcSwap;

use crate::error::LoadError;
use crate::model::Compiled;
use crate::policy::Policy;
use crate::telemetry;

type Loader = Box<dyn Fn() -> Result<Policy, LoadError> + Send + Sync>;

/// Holds the policy a service evaluates with, and swaps in a new one atomically.
///
/// Readers call [`PolicyStore::policy`] (a lock-free load of a pointer: it never blocks and
/// never sees a half-loaded policy) and keep the returned [`Policy`] for as long as they
/// need it. [`PolicyStore::reload`] validates the new policy completely first: a failed
/// reload keeps serving the previous policy and returns every diagnostic.
///
/// ```
/// use tierwise::{Policy, PolicyStore};
///
/// let demo = include_str!("../../tests/inputs/demo.toml");
/// let text = |v: &str| demo.replace("version = \"1\"", &format!("version = \"{v}\""));
/// let store = PolicyStore::new(Policy::from_toml_str("demo.toml", &text("1"))?);
/// store.replace(Policy::from_toml_str("demo.toml", &text("2"))?);
/// assert_eq!(store.policy().version(), "2");
/// // a broken policy is refused and the previous one stays
/// assert!(store.replace_with(Policy::from_toml_str("demo.toml", "[policy]")).is_err());
/// assert_eq!(store.policy().version(), "2");
/// # Ok::<(), tierwise::LoadError>(())
/// ```
///
/// # One snapshot per request
///
/// Take the policy once per request and build, evaluate and read every result with that
/// one snapshot. Customers, cases, tier numbers and resolutions belong to the compiled
/// policy that made them: given to another snapshot (after a reload, even of the same
/// file) they are refused with a `wrong policy` error, never read as the other policy's
/// tier of the same rank.
///
/// ```
/// # use tierwise::{Policy, PolicyStore};
/// # let demo = include_str!("../../tests/inputs/demo.toml");
/// # let store = PolicyStore::new(Policy::from_toml_str("demo.toml", demo)?);
/// # let as_of = chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
/// // a request
/// let policy = store.policy(); // this request's snapshot
/// let customer = policy.customer("C1").set("teu", "640").build()?;
/// let assignment = policy.classify(&customer, as_of)?;
/// assert_eq!(policy.tier(assignment.tier())?.id(), "key");
///
/// // a reload between two requests, or during this one
/// store.replace(Policy::from_toml_str("demo.toml", demo)?);
/// // the request's results stay readable with its own snapshot...
/// assert_eq!(policy.tier(assignment.tier())?.id(), "key");
/// // ...and are refused by the new one
/// assert!(store.policy().tier(assignment.tier()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PolicyStore {
    current: ArcSwap<Compiled>,
    loader: Option<Loader>,
}

impl std::fmt::Debug for PolicyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = self.policy();
        f.debug_struct("PolicyStore")
            .field("id", &p.id())
            .field("version", &p.version())
            .field("reloadable", &self.loader.is_some())
            .finish()
    }
}

impl PolicyStore {
    /// A store serving `policy`; [`PolicyStore::reload`] then has nothing to reload from.
    pub fn new(policy: Policy) -> PolicyStore {
        PolicyStore {
            current: ArcSwap::new(policy.inner),
            loader: None,
        }
    }

    /// A store that loads its policy with `loader`, now and on every
    /// [`PolicyStore::reload`]. A loader that reads the file itself reports a file it cannot
    /// read with [`LoadError::from_io`], as one clear diagnostic:
    ///
    /// ```
    /// use tierwise::{LoadError, Policy, PolicyStore};
    ///
    /// let path = "policies/missing.toml";
    /// let loader = move || {
    ///     let text = std::fs::read_to_string(path).map_err(|e| LoadError::from_io(path, &e))?;
    ///     Policy::from_toml_str(path, &text)
    /// };
    /// let err = PolicyStore::with_loader(loader).unwrap_err();
    /// assert_eq!(err.diagnostics().len(), 1);
    /// assert!(err.to_string().contains("cannot read `policies/missing.toml`"));
    /// ```
    pub fn with_loader<F>(loader: F) -> Result<PolicyStore, LoadError>
    where
        F: Fn() -> Result<Policy, LoadError> + Send + Sync + 'static,
    {
        let first = loader()?;
        Ok(PolicyStore {
            current: ArcSwap::new(first.inner),
            loader: Some(Box::new(loader)),
        })
    }

    /// A store that reads a policy file (and its includes) now and on every reload.
    #[cfg(feature = "fs")]
    pub fn from_path(path: impl Into<std::path::PathBuf>) -> Result<PolicyStore, LoadError> {
        let path = path.into();
        PolicyStore::with_loader(move || Policy::from_path(&path))
    }

    /// The policy in force now. Never blocks.
    pub fn policy(&self) -> Policy {
        Policy {
            inner: self.current.load_full(),
        }
    }

    /// Serves `policy` from now on.
    pub fn replace(&self, policy: Policy) {
        self.current.store(policy.inner);
    }

    /// Serves the policy of a load result if it is valid; otherwise keeps the current one
    /// and returns the diagnostics.
    pub fn replace_with(&self, loaded: Result<Policy, LoadError>) -> Result<(), LoadError> {
        match loaded {
            Ok(policy) => {
                telemetry::reloaded(policy.id(), policy.version());
                self.replace(policy);
                Ok(())
            }
            Err(e) => {
                telemetry::reload_refused(e.diagnostics().len());
                Err(e)
            }
        }
    }

    /// Loads the policy again with the store's loader and swaps it in if it is valid. On
    /// error the previous policy keeps being served. A store made with
    /// [`PolicyStore::new`] has no loader: reloading it keeps the current policy.
    pub fn reload(&self) -> Result<(), LoadError> {
        match &self.loader {
            Some(load) => self.replace_with(load()),
            None => Ok(()),
        }
    }
}
