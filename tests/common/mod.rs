#![allow(dead_code)]
pub mod openapi;
