#![allow(dead_code)]
pub mod contract;
pub mod fault_server;
pub mod openapi;
pub mod statuses;
