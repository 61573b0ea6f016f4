"""A report PDF -> its pages, recommendations, summary and title-page metadata."""
