"""Words in the reviewer's language: facts, values and conditions as sentences, French made right, missing
facts as questions, and the message catalogues they come from."""
