"""What the round pages show, one module per part: words shared by every page
(:mod:`.words`), the rules in plain words (:mod:`.rules`), the round's header and timeline
(:mod:`.round_header`), how amendments and ranked options are named and shown
(:mod:`.amendment_display`), the ballot form (:mod:`.ballot_form`), results (:mod:`.results`,
:mod:`.ranked_results`) with their SVG chart geometry (:mod:`.charts`), and the consultation
report (:mod:`.report`).

Formatting only; every decision is taken by the services. Closing writes its outcome notes
with these words too (:func:`.words.percent`, :func:`.words.readable_rule`).
"""
