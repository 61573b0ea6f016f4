"""Report factory: DHR overview reports written as .docx with real Word features."""
