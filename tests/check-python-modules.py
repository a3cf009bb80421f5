"""Fails, naming the module and its Debian package, if a module that a test or benchmark script
imports is missing from this Python. Run by tests/run-all.sh before any build, with the Python
the tests use (Debian's /usr/bin/python3), so that a missing install step shows at once:

    /usr/bin/python3 tests/check-python-modules.py tests bench

Every `import` in every .py file under the given folders counts, also those inside functions;
the standard library and the scripts' own modules (files beside them) are left out."""
import ast
import importlib.util
import pathlib
import sys

# Where a module's Debian package is not simply python3-<module>.
DEBIAN_PACKAGE = {"PIL": "python3-pil", "mpi4py": "python3-mpi4py", "distributed": "python3-distributed"}


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno


def main(folders):
    scripts = sorted(p for folder in folders for p in pathlib.Path(folder).rglob("*.py"))
    own = {p.stem for p in scripts}
    wanted = {}
    for script in scripts:
        for module, line in imported_modules(script):
            if module in sys.stdlib_module_names or module in own:
                continue
            wanted.setdefault(module, f"{script}:{line}")
    missing = sorted(m for m in wanted if importlib.util.find_spec(m) is None)
    for module in missing:
        package = DEBIAN_PACKAGE.get(module, f"python3-{module.lower()}")
        print(f"missing Python module '{module}' (imported at {wanted[module]}): "
              f"{sys.executable} has no such module; install the Debian package {package}",
              file=sys.stderr)
    if missing:
        return 1
    print(f"Python modules the tests import, all present in {sys.executable}: {', '.join(sorted(wanted))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["tests", "bench"]))
