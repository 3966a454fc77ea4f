"""`python -m pipeline` and the `medloc` command."""
import gc
import os
import sys

# What importing the pipeline makes (modules, classes, compiled patterns) lives as long as the
# process: the collector, run 80 times meanwhile (0.05 s of each command), finds no garbage in it,
# and later collections need not scan it again.
gc.disable()
from pipeline.cli import main  # noqa: E402
gc.freeze()
gc.enable()


def run() -> None:
    """Run the command line in ``sys.argv`` and end the process with its exit code (0, 1 or 2).

    A command that returns ends with ``os._exit`` once its output is flushed:
    every file it wrote is closed by then, and an ordinary exit would spend a
    tenth of a second freeing, one by one, the objects of the thousands of
    catalogs it read (mypy ends the same way, for the same reason). An
    exception takes the ordinary way out, with its traceback, and so does a
    run under a profiler or a coverage tracer, which writes its results after
    the program returns.
    """
    try:
        code = main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`python -m pipeline glossary | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
