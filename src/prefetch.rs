//! A hint to start loading memory that will be read soon.
//!
//! Hand-written because no well-kept crate wraps the one instruction: the
//! standard library has it only as the x86 intrinsic (and an unstable
//! intrinsic elsewhere).

/// Asks the CPU to start loading the cache line holding `value` into all
/// cache levels; a no-op where the target has no such hint. Never faults and
/// changes no result, only timing.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of the x86_64 baseline, and a prefetch of any
        // address (here a live reference) neither faults nor writes.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
