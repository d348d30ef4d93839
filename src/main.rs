//! The `offersim` binary: parse the command line, call the library, map errors to exit codes
//! (0 success, 1 regression found by `check`, 2 bad input, 3 a run failed).

use clap::Parser;

fn main() {
    let cli = offersim::cli::Cli::parse();
    let code = match offersim::cli::dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            e.downcast_ref::<offersim::Error>()
                .map(|e| e.exit_code())
                .unwrap_or(3)
        }
    };
    std::process::exit(code);
}
