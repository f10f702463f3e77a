"""The Q&A knowledge base: questions, answers, curation, moderation and notifications."""
