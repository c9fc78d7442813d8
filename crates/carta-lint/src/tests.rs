//! Unit tests of the rules, configuration and silencing.
