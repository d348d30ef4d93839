//! The commands' reports on standard output. A reader that went away (`offersim run ... | head`)
//! is not a failure of the command: its results are written by then, so the rest of the report
//! is dropped quietly instead of panicking as `println!` does on a broken pipe.

use std::io::{ErrorKind, Write};

/// Writes `text` to standard output; a closed pipe drops it, another error is said on stderr.
pub(crate) fn say(text: std::fmt::Arguments) {
    let mut out = std::io::stdout().lock();
    match out.write_fmt(text).and_then(|_| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {}
        Err(e) => eprintln!("warning: cannot write to standard output: {e}"),
    }
}

/// `println!` through [`say`].
macro_rules! sayln {
    ($($t:tt)*) => {
        $crate::cli::say::say(format_args!("{}\n", format_args!($($t)*)))
    };
}
pub(crate) use sayln;
