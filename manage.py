#!/usr/bin/env python
"""Django's command-line utility; `.venv/bin/jiceng` is the same with hyphenated names."""

from jiceng.cli import main

if __name__ == "__main__":
    main()
