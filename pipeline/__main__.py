"""`python -m pipeline` and the `medloc` command."""
import os
import sys

from pipeline.cli import main


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
