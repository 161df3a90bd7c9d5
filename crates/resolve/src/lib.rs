//! Resolution: which mentions name the same entity.
