"""The NHS Friends and Family Test. Its wording lives in survey_files/fft.yaml.

The question keeps the id "fft" in every survey that asks it (fft, experience), so every
answer to it counts in the monthly return.
"""
QUESTION_ID = "fft"
QUESTION = "Overall, how was your experience of our service?"
RETURN_KEYS = {"1": "very_good", "2": "good", "3": "neither_good_nor_poor", "4": "poor",
               "5": "very_poor", "6": "dont_know"}
