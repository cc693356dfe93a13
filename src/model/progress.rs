//! Progress of training, for callers that show it (a progress bar, a log).

/// What training reports as it goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrainEvent<'a> {
    /// This many more model fits are coming (sent before they start; cross
    /// validation sends one per fold's training).
    Planned {
        /// Number of fits (one per label and penalty and fold in
        /// one-vs-rest mode, one per penalty and fold in softmax mode).
        fits: u64,
    },
    /// A new stage begins (e.g. "counting n-grams", "search: words only").
    Stage(&'a str),
    /// One fit finished.
    Fitted,
}

/// A callback for [`TrainEvent`]s, called from any training thread.
pub type OnTrainEvent<'a> = &'a (dyn Fn(TrainEvent<'_>) + Sync);

/// Where training sends its events (nowhere by default).
#[derive(Clone, Copy, Default)]
pub(crate) struct Progress<'a> {
    on: Option<OnTrainEvent<'a>>,
}

impl<'a> Progress<'a> {
    /// Events go to `on`.
    pub fn to(on: OnTrainEvent<'a>) -> Self {
        Progress { on: Some(on) }
    }

    /// Announces `fits` more fits.
    pub fn planned(&self, fits: u64) {
        if let Some(on) = self.on {
            on(TrainEvent::Planned { fits });
        }
    }

    /// Announces a stage.
    pub fn stage(&self, what: &str) {
        if let Some(on) = self.on {
            on(TrainEvent::Stage(what));
        }
    }

    /// Reports one finished fit.
    pub fn fitted(&self) {
        if let Some(on) = self.on {
            on(TrainEvent::Fitted);
        }
    }
}
