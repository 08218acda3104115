//! The spinner `audit`, `profile` and `assign` show on a terminal while they scan.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A spinner with the elapsed time on stderr, shown only on a terminal and only once a scan has taken
/// more than a second; `--quiet` turns it off.
pub(crate) struct Progress {
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) handle: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    pub(crate) fn start(label: &'static str, quiet: bool) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { stop, handle: None };
        }
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            let frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
            let mut shown = false;
            let mut frame = 0;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                if started.elapsed() >= Duration::from_secs(1) {
                    eprint!(
                        "\r{} {label} {:.0} s ",
                        frames[frame % frames.len()],
                        started.elapsed().as_secs_f64()
                    );
                    shown = true;
                    frame += 1;
                }
            }
            if shown {
                eprint!("\r\x1b[2K");
            }
        });
        Progress {
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
