"""Disclosure and assessment: the model card now; compliance reports and transparency statistics next."""
