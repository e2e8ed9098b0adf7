"""Work off the GUI thread: one worker idiom (a QObject on a QThread), jobs, checks, watching."""
