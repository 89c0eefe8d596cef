from havre.cli import run

run()
