"""TAP for the end-to-end scripts: check(name, fn) runs one check (fn
returns None when it holds, Skip(reason) when it cannot run here, else why
not; an exception is a failure too) and prints its line; plan() prints the plan and gives the exit status.
edited_codebook() writes the bundled codebook with a sub-theme more."""
import os
import sys

results = []


class Skip(str):
    """What a check returns when it cannot run here (the reason): a TAP
    SKIP, counted neither as passed nor as failed."""


def check(name, fn):
    try:
        why = fn()
    except Exception as e:  # a failed assertion or a crash of the check
        why = '%s: %s' % (type(e).__name__, e)
    if isinstance(why, Skip):
        results.append((name, None))
        print('ok %d - %s # SKIP %s' % (len(results), name, why))
        sys.stdout.flush()
        return
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


def edited_codebook(source_dir, path, terms, drop_last=False):
    """Writes to path the bundled codebook with a sub-theme 'mentale'
    (with these terms) under sante, without its last theme 'formation'
    when drop_last; returns path."""
    with open(os.path.join(source_dir, 'codebooks', 'riposte.yaml'),
              encoding='utf-8') as f:
        yaml = f.read()
    marker = '\n    children:\n      protection:\n'
    assert yaml.count(marker) == 1, 'the bundled codebook changed: fix me'
    yaml = yaml.replace(marker, '\n    children:\n      mentale:\n'
                        '        label: Santé mentale\n'
                        '        terms: [%s]\n'
                        '      protection:\n' % ', '.join(terms))
    if drop_last:
        yaml = yaml[:yaml.rindex('\n  formation:')] + '\n'
    with open(path, 'w', encoding='utf-8') as f:
        f.write(yaml)
    return path
