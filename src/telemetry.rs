//! Events for the service's logs (feature `tracing`): a policy loaded or refused, a reload
//! taken or refused, an evaluation that failed. Each function is empty without the feature,
//! and none is called on the evaluation's path when it succeeds.

/// A policy compiled: its id, version and number of warnings.
pub(crate) fn loaded(id: &str, version: &str, warnings: usize) {
    #[cfg(feature = "tracing")]
    tracing::info!(policy = id, version, warnings, "tierwise: policy loaded");
    #[cfg(not(feature = "tracing"))]
    let _ = (id, version, warnings);
}

/// A policy that did not compile: where from and how many diagnostics.
pub(crate) fn refused(name: &str, diagnostics: usize) {
    #[cfg(feature = "tracing")]
    tracing::warn!(source = name, diagnostics, "tierwise: policy refused");
    #[cfg(not(feature = "tracing"))]
    let _ = (name, diagnostics);
}

/// A store took a new policy.
pub(crate) fn reloaded(id: &str, version: &str) {
    #[cfg(feature = "tracing")]
    tracing::info!(policy = id, version, "tierwise: policy store reloaded");
    #[cfg(not(feature = "tracing"))]
    let _ = (id, version);
}

/// A store refused a reload and keeps the policy in force.
pub(crate) fn reload_refused(diagnostics: usize) {
    #[cfg(feature = "tracing")]
    tracing::warn!(
        diagnostics,
        "tierwise: reload refused, the policy in force is kept"
    );
    #[cfg(not(feature = "tracing"))]
    let _ = diagnostics;
}

/// An evaluation that failed, with the customer and the error.
pub(crate) fn eval_failed(customer: &str, error: &dyn std::fmt::Display) {
    #[cfg(feature = "tracing")]
    tracing::debug!(customer, error = %error, "tierwise: evaluation failed");
    #[cfg(not(feature = "tracing"))]
    let _ = (customer, error);
}
