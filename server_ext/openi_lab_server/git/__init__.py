"""Git: repository storage and operations (dulwich), and the smart-HTTP transport."""
