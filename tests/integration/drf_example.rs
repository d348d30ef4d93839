//! The DRF paper's example end to end.
