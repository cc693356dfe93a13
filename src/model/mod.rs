//! The model: a trained [`FrameModel`] and how it scores, how one is
//! trained ([`train()`], [`cross_validate`]) and evaluated ([`evaluate`],
//! [`assess`] with curves, confusion counts and mistakes),
//! the training report ([`TrainReport`]) and the versioned model file.

pub(crate) mod assess;
pub(crate) mod cross_validation;
pub(crate) mod file;
pub(crate) mod folds;
pub(crate) mod frame_model;
pub(crate) mod line_search;
pub(crate) mod logistic;
pub(crate) mod metrics;
pub(crate) mod objective;
pub(crate) mod progress;
pub(crate) mod report;
pub(crate) mod search;
pub(crate) mod train;

pub use assess::{
    assess, label_curve, mistakes, mistakes_csv, Assessment, Confusion, CurvePoint, LabelCounts,
    Mistake, MistakeKind, NO_LABEL,
};
pub use cross_validation::{
    cross_validate, cross_validate_with_progress, evaluate_model, CrossValidation,
};
pub use file::{FORMAT_VERSION, MAX_MODEL_BYTES};
pub use frame_model::{Contribution, FrameModel, Mode, Scorer, TrainingInfo};
pub use metrics::{evaluate, Evaluation, LabelScores};
pub use progress::{OnTrainEvent, TrainEvent};
pub use report::{with_test_metrics, SkippedRow, TestReport, TrainReport, TrainingReport};
pub use train::{
    train, train_with_progress, CharNgrams, Penalty, SearchPoint, Thresholds, TrainConfig,
    TrainSummary, AUTO_CHAR_LIMIT, AUTO_CHAR_NGRAMS, AUTO_PENALTY_LIMIT, DEFAULT_ALPHA,
    PENALTY_GRID,
};
