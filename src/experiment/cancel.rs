//! Ctrl-C, SIGTERM and SIGHUP while offersim writes: no temporary file or folder may outlive the
//! process. Temporary paths register here; the handler asks running simulations to stop (they
//! check [`stop_requested`] through the engine's progress callback and unwind through the normal
//! error path, which removes their temporary folder), and when nothing cooperates (or on a
//! second signal) it removes every registered path itself and exits with 130.
//!
//! The handler is installed by the command line only ([`install`]); a library user keeps the
//! process's own signal behaviour, and the registry then only removes paths on drop.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

static STOP: AtomicBool = AtomicBool::new(false);
static SIGNALS: AtomicUsize = AtomicUsize::new(0);
/// Work going on that answers a stop request by itself (simulations).
static COOPERATING: AtomicUsize = AtomicUsize::new(0);
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Installs the signal handler (once per process; later calls do nothing).
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // A handler that cannot be installed (another one is) leaves the default behaviour.
        let _ = ctrlc::set_handler(on_signal);
    });
}

fn on_signal() {
    let n = SIGNALS.fetch_add(1, Ordering::SeqCst) + 1;
    STOP.store(true, Ordering::SeqCst);
    if n == 1 && COOPERATING.load(Ordering::SeqCst) > 0 {
        eprintln!(
            "\ninterrupted: stopping the runs and removing their temporary files \
             (press Ctrl-C again to quit at once)"
        );
        return;
    }
    remove_registered();
    std::process::exit(130);
}

/// Removes every registered temporary path (the handler's last resort).
fn remove_registered() {
    let temps = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
    for p in temps.iter() {
        remove_path(p);
    }
}

fn remove_path(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

/// True once the user asked offersim to stop.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// A temporary file or folder offersim created: removed when the guard drops (error paths,
/// panics) and by the signal handler, unless [`Temp::keep`] took it over.
#[derive(Debug)]
pub struct Temp {
    path: PathBuf,
    armed: bool,
}

impl Temp {
    /// Registers `path` (which offersim just created, or is about to).
    pub fn register(path: PathBuf) -> Temp {
        TEMPS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.clone());
        Temp { path, armed: true }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path became a real output (renamed into place): forget it without removing it.
    pub fn keep(mut self) {
        self.armed = false;
        self.unregister();
    }

    fn unregister(&self) {
        let mut t = TEMPS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = t.iter().position(|p| *p == self.path) {
            t.remove(i);
        }
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if self.armed {
            remove_path(&self.path);
            self.unregister();
        }
    }
}

/// While alive, a first signal only asks the work to stop; the work removes its own files.
pub struct Cooperating(());

impl Cooperating {
    pub fn new() -> Cooperating {
        COOPERATING.fetch_add(1, Ordering::SeqCst);
        Cooperating(())
    }
}

impl Default for Cooperating {
    fn default() -> Self {
        Cooperating::new()
    }
}

impl Drop for Cooperating {
    fn drop(&mut self) {
        COOPERATING.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_temporary_path_goes_on_drop_unless_kept() {
        let d = std::env::temp_dir().join(format!("offersim-cancel-{}", std::process::id()));
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/f"), "x").unwrap();
        drop(Temp::register(d.clone()));
        assert!(!d.exists());
        std::fs::create_dir_all(&d).unwrap();
        Temp::register(d.clone()).keep();
        assert!(d.exists());
        assert!(!TEMPS.lock().unwrap().contains(&d));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
