"""TAP for the end-to-end scripts: check(name, fn) runs one check (fn
returns None when it holds, else why not; an exception is a failure too)
and prints its line; plan() prints the plan and gives the exit status."""
import sys

results = []


def check(name, fn):
    try:
        why = fn()
    except Exception as e:  # a failed assertion or a crash of the check
        why = '%s: %s' % (type(e).__name__, e)
    results.append((name, why))
    if why:
        why = ' '.join(str(why).split())  # one TAP line
        print('not ok %d - %s: %s' % (len(results), name, why))
    else:
        print('ok %d - %s' % (len(results), name))
    sys.stdout.flush()


def plan():
    """Prints the plan; 1 when a check failed, else 0."""
    print('1..%d' % len(results))
    return 1 if any(why for _, why in results) else 0
