//! A view the simulation lends to Python for the length of one call. The simulation's views
//! borrow its state, so Python gets an object holding a pointer that is set when the call
//! starts and cleared when it returns; a policy that keeps the object and uses it later gets
//! an exception, never a dangling read.

use pyo3::exceptions::PyRuntimeError;
use pyo3::PyResult;
use std::cell::Cell;

/// The lent view (null between calls). Used only from the thread that runs the simulation:
/// the Python classes holding it are `unsendable`.
pub struct Scoped<T>(Cell<*mut T>);

impl<T> Default for Scoped<T> {
    fn default() -> Self {
        Scoped(Cell::new(std::ptr::null_mut()))
    }
}

/// Clears the pointer when the call ends (also on unwinding).
pub struct Lent<'a, T>(&'a Cell<*mut T>);

impl<T> Drop for Lent<'_, T> {
    fn drop(&mut self) {
        self.0.set(std::ptr::null_mut());
    }
}

impl<T> Scoped<T> {
    /// Lends `p` until the returned guard drops.
    ///
    /// # Safety
    /// `p` must stay valid (and, for [`Scoped::get_mut`], unaliased) until the guard drops.
    pub unsafe fn lend(&self, p: *mut T) -> Lent<'_, T> {
        self.0.set(p);
        Lent(&self.0)
    }

    fn ptr(&self, what: &str) -> PyResult<*mut T> {
        let p = self.0.get();
        if p.is_null() {
            Err(PyRuntimeError::new_err(format!(
                "this {what} is valid only during the call that received it"
            )))
        } else {
            Ok(p)
        }
    }

    pub fn get(&self, what: &str) -> PyResult<&T> {
        // SAFETY: non-null only while lent (see `lend`).
        Ok(unsafe { &*self.ptr(what)? })
    }

    /// The lent value, mutably. Callers use the reference within one method and call no
    /// Python code meanwhile, so no two of them overlap.
    #[allow(clippy::mut_from_ref)]
    pub fn get_mut(&self, what: &str) -> PyResult<&mut T> {
        // SAFETY: non-null only while lent, and used one method at a time (see above).
        Ok(unsafe { &mut *self.ptr(what)? })
    }
}
