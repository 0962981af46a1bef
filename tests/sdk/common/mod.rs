#![allow(dead_code)]
pub mod contract;
pub mod fault_server;
pub mod logs;
pub mod openapi;
pub mod paths;
pub mod scripted;
pub mod statuses;
