//! Which patrol records deserve a second look, judged from their receipts.
//!
//! A record carries the tablet's time it was made; the server adds when it
//! first received it and how far the tablet's clock was off
//! ([`crate::schema::receipt`]). A record is flagged when the tablet clock was
//! off by more than [`CLOCK_OFF_MS`], or when it reached the server more than
//! [`LATE_MS`] after it was made (back-dated entries, or a tablet kept offline).

use serde::{Deserialize, Serialize};

use crate::schema::receipt::Receipt;

/// A tablet clock further off than this is flagged (5 minutes).
pub const CLOCK_OFF_MS: i64 = 5 * 60_000;

/// A record reaching the server later than this after it was made is flagged (2 hours).
pub const LATE_MS: i64 = 2 * 60 * 60_000;

/// Why a record is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum TrustFlag {
    /// The tablet's clock was off (server minus tablet, in milliseconds).
    ClockOff { skew_ms: i64 },
    /// The record reached the server this long after it was made.
    ArrivedLate { delay_ms: i64 },
}

/// The flags of a record made at `made_at` (tablet clock). A record the
/// server has not received yet has no receipt and no flags.
pub fn flags(made_at: i64, receipt: Option<Receipt>) -> Vec<TrustFlag> {
    let Some(receipt) = receipt else {
        return Vec::new();
    };
    let skew = receipt.clock_skew_ms.unwrap_or(0);
    let mut flags = Vec::new();
    // When it was made, in server time, assuming the skew held since then.
    let made_server_time = made_at + skew;
    let delay = receipt.received_at - made_server_time;
    if skew.abs() > CLOCK_OFF_MS || delay < -CLOCK_OFF_MS {
        flags.push(TrustFlag::ClockOff {
            skew_ms: if skew.abs() > CLOCK_OFF_MS {
                skew
            } else {
                -delay
            },
        });
    }
    if delay > LATE_MS {
        flags.push(TrustFlag::ArrivedLate { delay_ms: delay });
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    const MADE: i64 = 1_795_435_200_000;
    const MINUTE: i64 = 60_000;

    fn receipt(after: i64, skew: Option<i64>) -> Option<Receipt> {
        Some(Receipt {
            received_at: MADE + after,
            clock_skew_ms: skew,
        })
    }

    #[test]
    fn a_record_synced_at_once_by_a_good_clock_is_not_flagged() {
        assert!(flags(MADE, receipt(2_000, Some(300))).is_empty());
        assert!(flags(MADE, None).is_empty());
    }

    #[test]
    fn a_slow_or_fast_tablet_clock_is_flagged() {
        assert_eq!(
            flags(MADE, receipt(0, Some(-10 * MINUTE))),
            [TrustFlag::ClockOff {
                skew_ms: -10 * MINUTE
            }]
        );
        // No reported clock, but the record claims to be from the future.
        assert_eq!(
            flags(MADE, receipt(-30 * MINUTE, None)),
            [TrustFlag::ClockOff {
                skew_ms: 30 * MINUTE
            }]
        );
    }

    #[test]
    fn a_record_arriving_hours_later_is_flagged() {
        assert_eq!(
            flags(MADE, receipt(3 * 60 * MINUTE, Some(0))),
            [TrustFlag::ArrivedLate {
                delay_ms: 3 * 60 * MINUTE
            }]
        );
        // A tablet 1 hour slow that synced at once is off, not late.
        assert_eq!(
            flags(MADE, receipt(60 * MINUTE + 1_000, Some(60 * MINUTE))),
            [TrustFlag::ClockOff {
                skew_ms: 60 * MINUTE
            }]
        );
    }
}
