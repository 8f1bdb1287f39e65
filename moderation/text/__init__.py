"""Pure ``str -> str`` steps on comment text: normalisation, transliteration, the lexicon of
obscene / insulting / threatening stems, and a language guess. Nothing here learns or keeps
state; the classifier's analysis (``moderation.classifier.analysis``) builds on them."""
