"""Knowledge base of the assistant: built from the ONISEP-like fiches in knowledge/sources/ by
`python -m knowledge.build`, read by the actions through knowledge.loader.load_knowledge_base()."""
