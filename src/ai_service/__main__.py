from ai_service.cli import main

main()
