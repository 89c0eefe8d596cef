from havre.cli.main import main

main()
