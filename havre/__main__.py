from havre.cli import main

main()
