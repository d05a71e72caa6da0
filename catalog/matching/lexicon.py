"""Word lists of the matcher: stop words, synonyms and topic words, in the interface languages.

The tables are written naturally (accents, any script) and folded once by ``catalog.matching.text``;
an entry ending in ``*`` is a stem that matches any word starting with it (inflected languages:
``французьк*`` matches французької, французьку...). Arabic stems also match inside a word,
because articles and pronouns are glued to it (الفرنسية, لابنتي).
"""

from __future__ import annotations


def _split(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that carry no need: function words, the verbs of asking ("je voudrais", "looking
# for"), age units and small numbers (ages are read apart, by ``detect_child_ages``).
STOPWORDS: frozenset[str] = _split(
    """
    a au aux avec ce ces c ca cela cet cette d dans de des du elle en et est etre il ils j je
    l la le les leur lui ma me mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa
    sans se ses son sur ta te tes toi ton tu un une vos votre vous y plus tres bien aussi comme
    si mais donc car quoi quel quelle quels quelles tout tous toute toutes fait faire veux veut
    voudrais voudrait aimerais aimer aime cherche chercher recherche besoin peux peut pouvoir sais
    savoir vais aller avoir ai as suis es sommes etes sont quelque chose chez ici la-bas merci
    bonjour svp stp oui non ans an mois ai jai cest quil demi age agee ages annee annees
    deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize
    two three four five seven eight nine ten eleven twelve aged
    anos meses yas yasinda yasindaki aylik років роки рік місяців سنوات سنة اشهر عمره عمرها
    the an and or of to in on at for with by from is are am was be been i me my we our you your
    he she it its they their them his her this that these those there here what which who how
    want would like looking look find need some any can could please hi hello thanks just help
    do does did have has had will not no yes so very also about into out up year years old month
    months
    el la los las un una unos unas de del y o en con por para que quiero busco mi mis tu su sus
    es soy estoy ser al lo me le les muy
    o os as um uma uns umas do da dos das e em no na nos nas com por para que quero procuro meu
    minha sou estou ao
    ve bir bu ile icin ben benim cok da de mi
    і й та в у на з до для що я мене мій моя мої це як
    في من على الى إلى و عن مع أنا انا هذا هذه أريد اريد
    """
)

# Words about the form of learning, not its subject ("un atelier", "a course", "apprendre"):
# they rank offers that also match the subject, but never make a match on their own.
FORM_WORDS: tuple[str, ...] = (
    "atelier", "ateliers", "cours", "formation", "formations", "stage", "stages", "séance",
    "séances", "session", "sessions", "club", "activité", "activités", "initiation",
    "apprendre", "découvrir", "découverte", "débuter", "progresser", "améliorer", "pratiquer",
    "workshop", "workshops", "course", "courses", "class", "classes", "lesson", "lessons",
    "training", "learn", "learning", "improve", "practise", "practice", "activity",
    "activities", "taller", "curso", "cursos", "clase", "clases", "aprender", "oficina",
    "aula", "aulas", "kurs", "kursu", "ders", "öğrenmek", "курс*", "навчан*", "вивчати",
    "دورة", "دروس", "تعلم", "أتعلم", "انشطة", "أنشطة", "nivel", "niveau", "level", "débutant",
    "débutants", "beginner", "beginners", "principiante", "groupe", "group", "trouver",
    "passer", "obtenir", "devenir", "utiliser", "aide", "aider", "find", "get", "become",
    "use", "encontrar", "usar", "ajuda", "ayuda",
)

# Groups of words a citizen and a catalogue use for the same thing: any word of a group stands
# for every other one. Slang, abbreviations and common misspellings sit with their standard word;
# words of the other interface languages point to the French/English words catalogues use.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("informatique", "ordinateur", "ordi", "pc", "computer", "computing", "informatik",
     "informatica", "informática", "computadora", "ordenador", "computador", "bilgisayar",
     "комп'ютер", "حاسوب", "كمبيوتر"),
    ("numérique", "digital", "internet", "web", "digitale", "digitales", "dijital",
     "цифров*", "رقمي*"),
    ("compétences", "skills", "habilidades", "competencias", "competências", "beceri*",
     "навичк*", "навички", "مهارات"),
    ("en ligne", "online", "à distance", "distanciel", "remote", "e-learning", "mooc"),
    ("smartphone", "téléphone", "portable", "mobile", "phone", "tel", "cellphone", "celular",
     "telefon", "телефон", "هاتف"),
    ("tablette", "tablet", "ipad", "tableta", "tablet"),
    ("e-mail", "email", "mail", "courriel", "messagerie", "correo"),
    ("programmation", "programmer", "coder", "code", "coding", "programming", "programar",
     "dev", "développeur", "developer", "kodlama", "programación", "programação",
     "programlama", "програмуван*", "програміст*", "برمج*"),
    ("application", "appli", "app", "apps", "applications"),
    ("jeu vidéo", "jeux vidéo", "jeux video", "video game", "video games", "gaming",
     "videojuegos", "jogos"),
    ("emploi", "travail", "job", "boulot", "taf", "taff", "work", "employment", "empleo",
     "trabajo", "emprego", "trabalho", "робота", "عمل"),
    ("cv", "curriculum", "resume", "résumé", "lettre de motivation", "cover letter"),
    ("entretien d'embauche", "entretien", "interview", "job interview", "embauche", "recrutement"),
    ("alternance", "apprentissage", "apprenti", "apprenticeship", "work-study", "contrat pro"),
    ("création d'entreprise", "créer sa boîte", "créer ma boîte", "créer son entreprise",
     "créer mon entreprise", "auto-entrepreneur", "autoentrepreneur", "micro-entreprise",
     "micro-entrepreneur", "start-up", "startup", "business plan", "entrepreneur",
     "emprendimiento", "emprender", "empreender", "girişim", "бізнес"),
    ("caces", "cariste", "permis cariste", "chariot élévateur", "forklift", "fenwick"),
    ("français", "francais", "fle", "french", "francés", "francês", "fransızca",
     "французьк*", "فرنس*"),
    ("anglais", "english", "inglés", "ingles", "inglês", "ingilizce", "англійськ*", "انجليز*",
     "إنجليز*"),
    ("espagnol", "spanish", "español", "espanhol", "ispanyolca", "іспанськ*"),
    ("arabe", "arabic", "árabe", "arapça", "арабськ*", "عربي*"),
    ("japonais", "japanese", "japonés", "japonês", "japonca", "японськ*"),
    ("langue des signes", "lsf", "sign language"),
    ("lire", "lecture", "reading", "read", "leer", "ler", "lectura", "leitura"),
    ("écrire", "écriture", "writing", "write", "escribir", "escrever"),
    ("calcul", "maths", "math", "mathématiques", "compter", "arithmetic"),
    ("illettrisme", "alphabétisation", "savoirs de base", "literacy", "analphabète"),
    ("devoirs", "soutien scolaire", "aide aux devoirs", "homework", "tutoring", "deberes"),
    ("livre", "livres", "book", "books", "roman", "romans", "novel", "libro", "livro"),
    ("conte", "contes", "histoires", "story", "stories", "storytime"),
    ("bibliothèque", "médiathèque", "library", "bibli", "biblioteca"),
    ("musique", "music", "música", "müzik", "музик*", "موسيق*"),
    ("guitare", "guitar", "guitarra", "gitar", "гітар*", "غيتار", "قيتار"),
    ("chant", "chorale", "choir", "singing", "chanter", "sing", "coro", "cantar"),
    ("dessin", "dessiner", "drawing", "draw", "dibujo", "desenho", "resim", "малюван*", "رسم"),
    ("peinture", "painting", "pintura", "aquarelle"),
    ("théâtre", "theatre", "theater", "teatro", "tiyatro", "театр*", "مسرح"),
    ("science", "sciences", "scientifique", "ciencia", "ciência", "bilim", "наук*", "علوم"),
    ("astronomie", "astronomy", "étoiles", "stars", "télescope", "astronomía"),
    ("jardin", "jardinage", "garden", "gardening", "potager", "jardín", "jardim", "bahçe",
     "город*"),
    ("compost", "compostage", "composting", "zéro déchet", "zero waste"),
    ("nature", "biodiversité", "oiseaux", "birds", "wildlife", "naturaleza", "natureza"),
    ("santé", "health", "salud", "saúde", "sağlık", "здоров*", "صح*"),
    ("mémoire", "memory", "memoria", "memória"),
    ("sport", "sports", "deporte", "esporte", "spor", "спорт*", "رياض*", "gym", "fitness"),
    ("handisport", "sport adapté", "parasport", "disability sport"),
    ("fauteuil roulant", "wheelchair", "silla de ruedas", "cadeira de rodas",
     "tekerlekli sandalye", "візок", "كرسي متحرك"),
    ("parentalité", "parents", "parent", "parenting", "famille", "family", "familia", "família"),
    ("bébé", "bébés", "baby", "babies", "nourrisson", "tout-petit", "tout-petits", "toddler"),
    ("enfant", "enfants", "child", "children", "kids", "kid", "gamin", "gamins", "niño", "niños",
     "criança", "crianças", "çocuk"),
    ("ado", "ados", "adolescent", "adolescents", "teen", "teens", "teenager", "teenagers",
     "jeunes", "youth"),
    ("senior", "seniors", "retraité", "retraités", "personnes âgées", "elderly", "aînés",
     "retired"),
    ("couture", "coudre", "sewing", "sew", "costura", "dikiş", "шиття", "خياطة"),
    ("tricot", "tricoter", "knitting", "knit", "crochet", "tejer", "tricô", "örgü", "в'язан*"),
    ("réparation", "réparer", "repair", "fix", "repair café", "reparar", "tamir"),
    ("bricolage", "bricoler", "diy", "do it yourself", "bricolaje"),
    ("impression 3d", "imprimante 3d", "3d printing", "fablab", "maker"),
    ("cuisine", "cuisiner", "cooking", "cook", "recette", "recettes", "recipe", "recipes",
     "cocina", "cozinha", "culinária", "yemek", "кулінар*", "готуван*", "طبخ"),
    ("démarches", "démarches administratives", "papiers", "paperasse", "administratif",
     "paperwork", "trámites", "documentos", "документ*", "أوراق"),
    ("caf", "allocations", "aides sociales", "aide sociale", "benefits"),
    ("impôts", "impots", "taxes", "tax"),
    ("naturalisation", "nationalité", "citoyenneté", "citizenship", "naturalization",
     "nacionalidad", "nacionalidade", "vatandaşlık", "громадянств*", "جنسية"),
    ("droits", "rights", "juriste", "juridique", "legal", "derechos", "direitos"),
    ("histoire", "history", "historia", "história", "tarih", "істор*", "تاريخ"),
    ("patrimoine", "heritage", "monuments", "visite guidée", "guided tour", "walking tour"),
    ("gratuit", "gratuite", "gratuits", "free", "gratis", "gratuito", "ücretsiz",
     "безкоштовн*", "مجان*"),
    ("soir", "soirée", "evening", "evenings", "night", "noche", "noite", "akşam", "вечір*"),
    ("débutant", "débutants", "débutante", "initiation", "beginner", "beginners", "novice",
     "principiante", "iniciante", "başlangıç"),
    ("conversation", "parler", "speaking", "speak", "oral", "conversación", "conversação"),
    ("atelier", "workshop", "taller", "oficina", "atölye"),
    ("cours", "course", "class", "classes", "lessons", "lesson", "curso", "clases", "aulas",
     "kurs", "курс*", "دورة", "دروس"),
    ("formation", "training", "formación", "formação", "eğitim", "навчан*"),
    ("université", "fac", "university", "universidad", "universidade", "conférence",
     "conférences", "lecture series", "conferencia", "conferencias",
     "conferência", "conferências", "palestra", "palestras", "charla", "charlas",
     "konferans*", "конференц*", "лекці*", "محاضر*"),
    ("visio", "appel vidéo", "video call", "videocall", "whatsapp", "skype"),
)

# Words that reveal an interest, per topic code: they feed the topic score when the citizen
# typed a need without picking a topic (or in another language).
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "digital": ("informatique", "informatik", "ordinateur", "ordi", "numérique", "internet",
                "smartphone", "tablette", "tablet", "computer", "coder", "code", "coding",
                "programmation", "programmer", "python", "bureautique", "word", "excel", "mail",
                "email", "courriel", "digital", "web", "logiciel", "software", "appli", "laptop",
                "informatica", "computadora", "ordenador", "computador", "bilgisayar", "комп*",
                "حاسوب", "كمبيوتر", "انترنت", "programming", "programación", "programação",
                "programlama", "kodlama", "програмуван*", "цифров*", "dijital", "برمج*",
                "رقمي*"),
    "languages": ("langue", "langues", "language", "languages", "anglais", "english",
                  "espagnol", "spanish", "allemand", "german", "italien", "japonais", "chinois",
                  "arabe", "idioma", "idiomas", "lingua", "dil", "inglés", "ingles",
                  "ingilizce", "мов*", "англійськ*", "لغة", "لغات", "انجليز*"),
    "french": ("français", "francais", "fle", "french", "francés", "francês", "fransızca",
               "французьк*", "فرنس*"),
    "literacy": ("illettrisme", "alphabétisation", "orthographe", "calcul", "maths", "devoirs",
                 "soutien scolaire", "lire et écrire", "literacy", "homework", "analphabète"),
    "arts": ("art", "arts", "dessin", "peinture", "théâtre", "theatre", "sculpture",
             "drawing", "painting", "poterie", "dibujo", "pintura", "resim", "малюван*", "رسم"),
    "music": ("musique", "music", "guitare", "guitar", "piano", "chant", "chorale", "choir",
              "violon", "instrument", "música", "guitarra", "müzik", "gitar", "музик*",
              "гітар*", "موسيق*"),
    "reading": ("lecture", "livre", "livres", "roman", "romans", "bibliothèque", "médiathèque",
                "conte", "contes", "book", "books", "reading", "storytime", "libro", "leitura",
                "kitap", "книг*", "كتاب", "قراءة"),
    "science": ("science", "sciences", "scientifique", "astronomie", "physique", "chimie",
                "biologie", "expériences", "robotique", "ciencia", "ciência", "bilim", "наук*",
                "علوم"),
    "environment": ("environnement", "nature", "jardin", "jardinage", "compost", "écologie",
                    "biodiversité", "déchets", "recyclage", "garden", "gardening", "environment",
                    "climat", "jardín", "jardim", "bahçe", "природ*", "بيئة", "حديقة"),
    "health": ("santé", "bien-être", "mémoire", "prévention", "nutrition", "sommeil", "stress",
               "health", "wellbeing", "salud", "saúde", "sağlık", "здоров*", "صح*"),
    "sport": ("sport", "sports", "gym", "yoga", "natation", "nager", "piscine", "swimming",
              "swim", "basket", "football", "danse", "dance", "randonnée", "marche", "vélo",
              "fitness", "handisport", "deporte", "esporte", "spor", "спорт*", "رياض*"),
    "parenting": ("parentalité", "parents", "bébé", "enfant", "enfants", "famille", "family",
                  "parenting", "kids", "children", "child", "baby", "fils", "fille", "daughter",
                  "son", "hijo", "hija", "filho", "filha", "çocuk", "дит*", "طفل", "ابن*"),
    "career": ("emploi", "travail", "job", "boulot", "taf", "cv", "embauche", "alternance",
               "apprentissage", "métier", "career", "work", "employment", "resume", "empleo",
               "trabajo", "emprego", "trabalho", "робот*", "عمل", "وظيف*"),
    "entrepreneurship": ("entreprise", "auto-entrepreneur", "micro-entreprise", "startup",
                         "business", "entrepreneur", "créer ma boîte", "créer sa boîte",
                         "emprendimiento", "empresa", "бізнес*"),
    "crafts": ("couture", "tricot", "crochet", "bricolage", "réparation", "réparer", "repair",
               "sewing", "knitting", "diy", "poterie", "costura", "dikiş", "шиття"),
    "cooking": ("cuisine", "cuisiner", "recette", "recettes", "cooking", "cook", "recipes",
                "cocina", "cozinha", "yemek", "кулінар*", "готуван*", "طبخ"),
    "citizenship": ("démarches", "papiers", "caf", "impôts", "droits", "naturalisation",
                    "citoyenneté", "nationalité", "préfecture", "titre de séjour",
                    "administratif", "citizenship", "trámites", "vatandaşlık", "громадянств*",
                    "документ*", "جنسية"),
    "history": ("histoire", "patrimoine", "heritage", "history", "musée", "museum",
                "monument", "cathédrale", "historia", "história", "tarih", "істор*", "تاريخ",
                "histórico", "histórica", "historique", "tarihi", "історичн*"),
}

# Words naming the one the learning is for, when it is a child (RULES §5 of the evaluation set).
CHILD_WORDS: tuple[str, ...] = (
    "fils", "fille", "filles", "garçon", "garçons", "enfant", "enfants", "bébé", "bébés",
    "ado", "ados", "petit-fils", "petite-fille", "petits-enfants", "petits enfants", "gamin",
    "gamine", "son", "sons", "daughter", "daughters", "child", "children", "kid", "kids",
    "toddler", "baby", "grandchild", "grandchildren", "grandson", "granddaughter", "hijo",
    "hija", "hijos", "hijas", "niño", "niña", "nieto", "nieta", "filho", "filha", "filhos",
    "filhas", "criança", "neto", "neta", "oğlum", "kızım", "çocuğum", "çocuk*", "oğl*", "kız*",
    "torun*", "ابن*", "بنت*", "طفل*", "اطفال", "син*", "донь*", "доч*", "дитин*", "діт*",
    "онук*",
)

# Someone who moves in a wheelchair: accessible (or online) offers are the only useful ones.
WHEELCHAIR_WORDS: tuple[str, ...] = (
    "fauteuil roulant", "wheelchair", "silla de ruedas", "cadeira de rodas",
    "tekerlekli sandalye", "інвалідн* візок", "візку", "كرسي متحرك", "pmr", "mobilité réduite",
)

# A wish for free or cheap offers, said in words rather than with the "free only" filter.
FREE_WORDS: tuple[str, ...] = (
    "gratuit", "gratuite", "gratuits", "gratuites", "pas cher", "pas chère", "petit budget",
    "free", "cheap", "gratis", "gratuito", "gratuita", "barato", "ücretsiz", "ucuz",
    "безкоштовн*", "дешев*", "مجان*",
)
