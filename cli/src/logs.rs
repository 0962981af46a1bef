//! What `-v` shows on stderr: one line per call to CEC (operation, status,
//! time), from the SDK's `cec.call` and `cec.token` spans; `-vv` and
//! `CEC_LOG` add the SDK's own events.

use tracing::{
    Subscriber,
    field::{Field, Visit},
    span,
};
use tracing_subscriber::{Layer, layer::Context, registry::LookupSpan};

use crate::output;

/// The fields of one call's span, as the SDK records them.
#[derive(Debug, Default)]
struct Call {
    operation: Option<String>,
    status: Option<u64>,
    elapsed_ms: Option<u64>,
    token_refreshed: bool,
}

impl Visit for Call {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "operation" {
            self.operation = Some(value.to_owned());
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "status" => self.status = Some(value),
            "elapsed_ms" => self.elapsed_ms = Some(value),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.record_u64(field, value);
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "token_refreshed" {
            self.token_refreshed = value;
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "operation" {
            self.operation = Some(format!("{value:?}").trim_matches('"').to_owned());
        }
    }
}

/// Whether a span is one call to CEC.
pub fn is_call(metadata: &tracing::Metadata<'_>) -> bool {
    metadata.is_span() && matches!(metadata.name(), "cec.call" | "cec.token")
}

/// Prints `cec: createCalledRoute → 200 in 12 ms` as each call ends.
pub struct CallLines;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CallLines {
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if !is_call(attrs.metadata()) {
            return;
        }
        let mut call = Call::default();
        attrs.record(&mut call);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(call);
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(call) = span.extensions_mut().get_mut::<Call>()
        {
            values.record(call);
        }
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        let extensions = span.extensions();
        let Some(call) = extensions.get::<Call>() else {
            return;
        };
        let status = call
            .status
            .map_or_else(|| "no answer".to_owned(), |s| s.to_string());
        let elapsed = call
            .elapsed_ms
            .map_or_else(String::new, |ms| format!(" in {ms} ms"));
        let refreshed = if call.token_refreshed {
            " (token refreshed, sent again)"
        } else {
            ""
        };
        output::stderr(&format!(
            "cec: {} → {status}{elapsed}{refreshed}",
            call.operation.as_deref().unwrap_or("?")
        ));
    }
}
