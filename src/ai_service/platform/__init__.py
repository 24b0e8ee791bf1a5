"""Platform seams between the domains and the infrastructure: the AI gateway (`ai`), the market
store (`market`) and the vector store (`vectors`). Each has one small interface and picks its
backend from the settings; none imports a domain."""
