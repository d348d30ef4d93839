//! The cluster model: resources, agents, frameworks, tasks, block placement, and the master that
//! makes offers, keeps filters and runs the task life cycle.

pub mod agent;
pub mod faults;
pub mod framework;
pub mod master;
pub mod placement;
pub mod resources;
pub mod task;
