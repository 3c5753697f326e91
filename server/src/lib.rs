//! The Roundbook sync server as a library, so tests and benchmarks can run it
//! in-process; `main.rs` only parses the command line.

pub mod access;
pub mod admin;
pub mod app;
pub mod auth;
pub mod backup;
pub mod blobs;
pub mod body;
pub mod compute;
pub mod config;
pub mod connection;
pub mod demo;
pub mod error;
pub mod export;
pub mod hub;
pub mod init;
pub mod install;
pub mod lang;
pub mod limits;
pub mod metrics;
pub mod password;
pub mod personal_data;
pub mod reports;
pub mod retention;
pub mod routes;
pub mod serve;
pub mod signin;
pub mod staff;
pub mod state;
pub mod store;
pub mod syncs;
pub mod tls;
pub mod validate;
pub mod zones;
