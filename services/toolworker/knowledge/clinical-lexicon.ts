// The clinical synonym and abbreviation table behind the local embedding: each concept lists the
// ways clinicians and patients say it (lay words, abbreviations, drug and brand names). A text that
// uses any of them gets the concept as a feature, so "always thirsty, peeing a lot" meets
// "polydipsia, polyuria" and "BP" meets "blood pressure" although they share no word.
//
// Forms are matched after the same normalisation and stemming as the text (case, plurals and
// -ing/-ed endings do not matter), longest phrase first. Keep single-word forms unambiguous: a
// common word here ("down", "stop") pulls unrelated documents together.
//
// The `intent-*` concepts carry what a question asks for (a work-up, a drug, a screening rule,
// monitoring), which is how documents are categorised.

export type ClinicalLexicon = Readonly<Record<string, readonly string[]>>;

export const CLINICAL_LEXICON: ClinicalLexicon = {
  // ---------------------------------------------------------------- what the question asks for
  'intent-diagnosis': [
    'diagnose', 'diagnosis', 'diagnosing', 'diagnostic', 'workup', 'work-up', 'work up', 'evaluate', 'evaluation',
    'investigate', 'investigation', 'labs', 'lab test', 'laboratory', 'blood test', 'blood work', 'bloods', 'what test',
    'which test', 'criteria', 'confirm', 'confirmation', 'rule out', 'cutoff', 'cut-off', 'threshold', 'classify',
    'classification', 'staging', 'what does it mean', 'interpret', 'differential',
  ],
  'intent-treatment': [
    'treat', 'treatment', 'therapy', 'manage', 'management', 'medication', 'meds', 'medicine', 'drug', 'prescribe',
    'first-line', 'first line', 'dose', 'dosing', 'dosage', 'regimen', 'pills', 'tablets', 'what to give', 'options',
    'starting dose', 'initiate', 'which agent', 'drug class',
  ],
  'intent-screening': [
    'screen', 'screening', 'asymptomatic', 'without symptoms', 'who should be tested', 'who needs', 'who should get',
    'who qualifies', 'eligible', 'eligibility', 'at what age', 'everyone', 'general population', 'case finding',
  ],
  'intent-follow-up': [
    'follow-up', 'follow up', 'monitor', 'monitoring', 'recheck', 're-check', 'repeat', 'review', 'reassess',
    'titrate', 'titration', 'adjust', 'how often', 'interval', 'response', 'no improvement', 'not improving',
    'not working', 'still uncontrolled', 'step down', 'refer', 'referral', 'specialist',
  ],

  // ---------------------------------------------------------------- symptoms and signs
  polydipsia: ['polydipsia', 'thirst', 'thirsty', 'drinking a lot', 'excessive drinking', 'drinks a lot'],
  polyuria: ['polyuria', 'peeing a lot', 'urinating a lot', 'frequent urination', 'urinates frequently', 'passing lots of urine', 'nocturia'],
  urination: ['urinate', 'urination', 'urinating', 'pee', 'peeing', 'void', 'voiding', 'micturition', 'going often'],
  dysuria: ['dysuria', 'burning when urinating', 'burning urination', 'painful urination', 'burning when peeing', 'stinging urine'],
  fatigue: ['fatigue', 'tired', 'tiredness', 'exhausted', 'exhaustion', 'lethargy', 'lethargic', 'weary', 'low energy', 'no energy', 'worn out'],
  'weight-gain': ['weight gain', 'gaining weight', 'gained weight', 'put on weight', 'gained'],
  'weight-loss': ['weight loss', 'losing weight', 'lost weight', 'weight reduction'],
  'cold-intolerance': ['cold intolerance', 'cold all the time', 'always cold', 'feels cold', 'feeling cold'],
  'heat-intolerance': ['heat intolerance', 'feels hot', 'always hot', 'sweating', 'sweaty'],
  constipation: ['constipation', 'constipated'],
  palpitations: ['palpitations', 'heart racing', 'racing heart', 'pounding heart', 'fluttering', 'skipped beats'],
  tremor: ['tremor', 'shaky', 'shakiness', 'trembling'],
  dyspnea: ['dyspnea', 'dyspnoea', 'shortness of breath', 'short of breath', 'breathless', 'breathlessness', 'winded', 'sob'],
  orthopnea: ['orthopnea', 'orthopnoea', 'lying flat', 'breathless lying down', 'paroxysmal nocturnal dyspnea', 'pnd'],
  edema: ['edema', 'oedema', 'swollen ankles', 'ankle swelling', 'leg swelling', 'swollen legs', 'fluid retention', 'pitting'],
  wheeze: ['wheeze', 'wheezing', 'wheezy'],
  cough: ['cough', 'coughing'],
  sputum: ['sputum', 'phlegm', 'mucus', 'productive cough', 'productive'],
  fever: ['fever', 'febrile', 'pyrexia', 'high temperature'],
  'chest-pain': ['chest pain', 'angina', 'chest tightness', 'pleuritic'],
  headache: ['headache', 'cephalalgia', 'head pain', 'migraine'],
  nausea: ['nausea', 'nauseated', 'nauseous', 'vomiting', 'throwing up', 'antiemetic'],
  photophobia: ['photophobia', 'light sensitivity', 'sensitive to light', 'phonophobia', 'sensitive to noise'],
  'one-sided': ['one-sided', 'one sided', 'unilateral', 'side of the head'],
  throbbing: ['throbbing', 'pulsating', 'pulsatile'],
  thunderclap: ['thunderclap', 'worst headache', 'sudden onset', 'sudden severe', 'subarachnoid'],
  snoring: ['snoring', 'snore', 'snores'],
  'breathing-pauses': ['stops breathing', 'pauses in breathing', 'witnessed apneas', 'gasping', 'choking at night', 'apnea', 'apnoea'],
  sleepiness: ['sleepiness', 'sleepy', 'drowsy', 'drowsiness', 'nodding off', 'falling asleep', 'dozing', 'somnolence'],
  'low-mood': ['low mood', 'depressed', 'depressed mood', 'sad', 'sadness', 'hopeless', 'hopelessness', 'tearful'],
  anhedonia: ['anhedonia', 'no pleasure', 'loss of pleasure', 'loss of interest', 'lost interest', 'no interest'],
  worry: ['worry', 'worrying', 'worried', 'worrier', 'anxious', 'nervous', 'on edge', 'cannot relax', "can't relax", 'restless', 'restlessness'],
  'muscle-tension': ['muscle tension', 'tense'],
  paresthesia: ['paresthesia', 'paraesthesia', 'numb', 'numbness', 'tingling', 'pins and needles', 'neuropathy', 'vibration sense'],
  pica: ['pica', 'craving ice', 'ice craving', 'eating ice', 'chewing ice', 'pagophagia'],
  'heavy-periods': ['heavy periods', 'menorrhagia', 'heavy menstrual bleeding', 'heavy menses', 'menstrual losses'],
  'joint-pain': ['joint pain', 'arthralgia', 'painful joint', 'sore joint'],
  'hot-swollen-joint': ['hot swollen', 'swollen joint', 'red hot joint', 'inflamed joint', 'monoarthritis', 'red, hot, swollen'],
  'big-toe': ['big toe', 'great toe', 'first metatarsophalangeal', 'podagra', 'first mtp', 'bunion joint'],
  'back-pain': ['back pain', 'lumbar', 'lower back', 'back strain', 'lumbago', 'sciatica', 'backache'],
  heartburn: ['heartburn', 'acid reflux', 'reflux', 'regurgitation', 'indigestion', 'dyspepsia', 'sour taste'],
  stiffness: ['stiffness', 'stiff'],
  'flank-pain': ['flank pain', 'loin pain', 'costovertebral', 'cva tenderness'],
  'dysphagia-alarm': ['dysphagia', 'trouble swallowing', 'difficulty swallowing', 'odynophagia', 'painful swallowing', 'alarm features', 'alarm symptoms'],
  'red-flags': ['red flags', 'red flag', 'warning signs', 'cauda equina', 'saddle anesthesia', 'dangerous headache'],

  // ---------------------------------------------------------------- diabetes and glucose
  diabetes: ['diabetes', 'diabetic', 'dm', 't2dm', 't2d', 'dm2', 'diabetes mellitus', 'hyperglycemia', 'hyperglycaemia', 'niddm'],
  glucose: ['glucose', 'sugar', 'sugars', 'blood sugar', 'glycemia', 'glycaemia', 'glycemic', 'glycaemic', 'fpg', 'fbg', 'ogtt', 'glucose tolerance'],
  a1c: ['a1c', 'hba1c', 'hemoglobin a1c', 'haemoglobin a1c', 'glycated hemoglobin', 'glycated haemoglobin', 'glycosylated'],
  hypoglycemia: ['hypoglycemia', 'hypoglycaemia', 'hypo', 'hypos', 'low blood sugar', 'low sugar', 'sugar dropped', 'low glucose', 'glucagon'],
  prediabetes: ['prediabetes', 'pre-diabetes', 'prediabetic', 'borderline diabetes', 'borderline sugar', 'borderline sugars', 'impaired fasting glucose', 'impaired glucose tolerance'],
  metformin: ['metformin', 'glucophage', 'biguanide'],
  sulfonylurea: ['sulfonylurea', 'sulphonylurea', 'glipizide', 'glyburide', 'glibenclamide', 'glimepiride', 'gliclazide'],
  insulin: ['insulin', 'basal insulin', 'glargine', 'detemir', 'degludec', 'lantus'],
  'glp1-agonist': ['glp-1', 'glp1', 'glp-1 receptor agonist', 'semaglutide', 'liraglutide', 'dulaglutide', 'exenatide', 'tirzepatide', 'ozempic', 'wegovy', 'mounjaro', 'zepbound', 'trulicity', 'victoza', 'saxenda'],
  'sglt2-inhibitor': ['sglt2', 'sglt2 inhibitor', 'sglt-2', 'gliflozin', 'empagliflozin', 'dapagliflozin', 'canagliflozin', 'jardiance', 'farxiga', 'forxiga'],

  // ---------------------------------------------------------------- cardiovascular
  'blood-pressure': ['blood pressure', 'bp', 'pressure', 'hypertension', 'hypertensive', 'htn', 'high blood pressure', 'systolic', 'diastolic', 'mmhg', 'antihypertensive'],
  'ace-arb': ['ace inhibitor', 'acei', 'ace-i', 'lisinopril', 'enalapril', 'ramipril', 'perindopril', 'captopril', 'arb', 'angiotensin receptor blocker', 'losartan', 'valsartan', 'irbesartan', 'candesartan', 'telmisartan', 'olmesartan', 'raas', 'renin-angiotensin'],
  'calcium-channel-blocker': ['calcium channel blocker', 'ccb', 'amlodipine', 'nifedipine', 'felodipine', 'diltiazem', 'verapamil', 'dihydropyridine'],
  'beta-blocker': ['beta-blocker', 'beta blocker', 'metoprolol', 'carvedilol', 'bisoprolol', 'atenolol', 'propranolol', 'nebivolol'],
  diuretic: ['diuretic', 'furosemide', 'frusemide', 'lasix', 'bumetanide', 'torsemide', 'loop diuretic', 'water pill', 'hydrochlorothiazide', 'hctz', 'chlorthalidone', 'thiazide', 'indapamide'],
  'mineralocorticoid-antagonist': ['spironolactone', 'eplerenone', 'mineralocorticoid receptor antagonist', 'mra', 'aldosterone antagonist', 'finerenone', 'aldactone'],
  arni: ['sacubitril', 'sacubitril-valsartan', 'entresto', 'arni', 'neprilysin'],
  'heart-failure': ['heart failure', 'hf', 'chf', 'hfref', 'hfpef', 'cardiac failure', 'congestive', 'ejection fraction', 'lvef', 'cardiomyopathy', 'reduced ejection fraction'],
  'natriuretic-peptide': ['bnp', 'nt-probnp', 'probnp', 'natriuretic peptide', 'natriuretic'],
  echocardiogram: ['echo', 'echocardiogram', 'echocardiography', 'tte', 'transthoracic', 'transesophageal', 'tee'],
  'fluid-overload': ['fluid overload', 'volume overload', 'congestion', 'fluid', 'daily weight', 'weigh themselves'],
  'atrial-fibrillation': ['atrial fibrillation', 'afib', 'a-fib', 'a fib', 'af', 'irregularly irregular', 'irregular pulse', 'irregular heartbeat', 'irregular rhythm', 'atrial flutter'],
  anticoagulant: ['anticoagulant', 'anticoagulation', 'anticoagulate', 'blood thinner', 'doac', 'noac', 'apixaban', 'eliquis', 'rivaroxaban', 'xarelto', 'edoxaban', 'dabigatran', 'pradaxa', 'warfarin', 'coumadin'],
  stroke: ['stroke', 'tia', 'transient ischemic attack', 'cva', 'cerebrovascular'],
  'stroke-risk-score': ['cha2ds2-vasc', 'cha2ds2', 'chads2', 'chads', 'has-bled'],
  'heart-rate': ['heart rate', 'rate control', 'ventricular rate', 'tachycardia', 'bradycardia', 'beats per minute', 'bpm'],
  'rhythm-control': ['rhythm control', 'cardioversion', 'ablation', 'antiarrhythmic', 'amiodarone', 'flecainide', 'sotalol', 'dronedarone'],
  'coronary-disease': ['heart attack', 'myocardial infarction', 'mi', 'ascvd', 'coronary', 'cad', 'coronary artery disease', 'atherosclerotic', 'cardiovascular disease', 'cvd', 'acs', 'stent', 'cabg', 'ischemic heart disease'],
  'cardiovascular-risk': ['cardiovascular risk', '10-year risk', 'ascvd risk', 'pooled cohort', 'risk calculator', 'risk estimate', 'prevent calculator', 'primary prevention'],

  // ---------------------------------------------------------------- lipids
  cholesterol: ['cholesterol', 'ldl', 'ldl-c', 'hdl', 'lipid', 'lipid panel', 'lipid profile', 'triglyceride', 'hyperlipidemia', 'hyperlipidaemia', 'dyslipidemia', 'dyslipidaemia', 'hypercholesterolemia', 'lipoprotein'],
  statin: ['statin', 'atorvastatin', 'lipitor', 'rosuvastatin', 'crestor', 'simvastatin', 'zocor', 'pravastatin', 'lovastatin', 'pitavastatin'],
  'familial-hypercholesterolemia': ['familial', 'familial hypercholesterolemia', 'fh', 'inherited cholesterol', 'genetic cholesterol'],
  'muscle-symptoms': ['myalgia', 'muscle aches', 'muscle ache', 'muscle pain', 'muscle symptoms', 'cramps', 'creatine kinase', 'ck', 'rhabdomyolysis', 'myopathy'],
  'nonstatin-lipid-drug': ['ezetimibe', 'zetia', 'pcsk9', 'evolocumab', 'alirocumab', 'inclisiran', 'bempedoic'],

  // ---------------------------------------------------------------- kidney
  kidney: ['kidney', 'renal', 'nephro', 'nephrology', 'nephrologist', 'nephropathy', 'ckd', 'chronic kidney disease', 'kidney disease'],
  'kidney-function': ['gfr', 'egfr', 'glomerular filtration', 'kidney function', 'renal function', 'creatinine clearance', 'crcl', 'cystatin'],
  creatinine: ['creatinine', 'serum creatinine', 'cr'],
  albuminuria: ['albuminuria', 'albumin in the urine', 'protein in the urine', 'proteinuria', 'acr', 'uacr', 'albumin-to-creatinine', 'albumin creatinine ratio', 'microalbumin', 'microalbuminuria'],
  potassium: ['potassium', 'hyperkalemia', 'hyperkalaemia', 'k+'],

  // ---------------------------------------------------------------- thyroid
  thyroid: ['thyroid', 'tsh', 'thyroxine', 't4', 'free t4', 'ft4', 't3', 'thyroiditis', 'euthyroid', 'thyroid function'],
  hypothyroidism: ['hypothyroidism', 'hypothyroid', 'underactive thyroid', 'hashimoto', 'myxedema', 'myxoedema'],
  hyperthyroidism: ['hyperthyroidism', 'hyperthyroid', 'overactive thyroid', 'thyrotoxicosis', 'thyrotoxic', 'graves', 'toxic nodule', 'toxic multinodular'],
  levothyroxine: ['levothyroxine', 'synthroid', 'levoxyl', 'eltroxin', 'thyroxine replacement', 'thyroid hormone replacement'],
  'antithyroid-drug': ['methimazole', 'carbimazole', 'propylthiouracil', 'ptu', 'antithyroid', 'radioactive iodine', 'rai'],

  // ---------------------------------------------------------------- blood
  anemia: ['anemia', 'anaemia', 'anemic', 'anaemic', 'low hemoglobin', 'low haemoglobin', 'low hb', 'hemoglobin', 'haemoglobin', 'pallor'],
  iron: ['iron', 'ferritin', 'ferrous', 'ferrous sulfate', 'iron deficiency', 'transferrin', 'tsat', 'transferrin saturation'],
  microcytosis: ['microcytic', 'microcytosis', 'low mcv', 'small red cells', 'hypochromic'],
  macrocytosis: ['macrocytic', 'macrocytosis', 'high mcv', 'big red cells', 'large red cells', 'megaloblastic', 'mcv above 100', 'hypersegmented'],
  b12: ['b12', 'vitamin b12', 'cobalamin', 'cyanocobalamin', 'hydroxocobalamin', 'methylmalonic', 'mma', 'pernicious', 'intrinsic factor'],
  endoscopy: ['endoscopy', 'scope', 'colonoscopy', 'gastroscopy', 'egd', 'upper endoscopy', 'bidirectional endoscopy', 'upper gi'],
  'gi-bleeding': ['gi bleeding', 'gastrointestinal bleeding', 'blood loss', 'melena', 'black stools', 'rectal bleeding', 'occult blood'],

  // ---------------------------------------------------------------- weight
  obesity: ['obesity', 'obese', 'overweight', 'adiposity', 'bmi', 'body mass index', 'excess weight'],
  waist: ['waist', 'waist circumference', 'central adiposity', 'abdominal obesity', 'belly fat'],
  'anti-obesity-drug': ['anti-obesity', 'weight loss medication', 'weight loss drug', 'weight loss injections', 'weight loss injection', 'weekly injection', 'phentermine', 'topiramate', 'naltrexone-bupropion', 'orlistat', 'semaglutide 2.4'],
  'bariatric-surgery': ['bariatric', 'bariatric surgery', 'metabolic surgery', 'gastric bypass', 'sleeve gastrectomy', 'weight loss surgery', 'gastric band'],

  // ---------------------------------------------------------------- sleep
  'sleep-apnea': ['sleep apnea', 'sleep apnoea', 'osa', 'obstructive sleep apnea', 'ahi', 'apnea-hypopnea', 'hypopnea', 'stop-bang', 'epworth'],
  'sleep-study': ['polysomnography', 'sleep study', 'psg', 'home sleep test', 'home sleep apnea test', 'hsat', 'sleep lab'],
  cpap: ['cpap', 'apap', 'bipap', 'positive airway pressure', 'pap therapy', 'mask', 'cpap mask'],
  'oral-appliance': ['oral appliance', 'mandibular advancement', 'mouth guard', 'dental device', 'hypoglossal nerve stimulation'],

  // ---------------------------------------------------------------- mental health
  depression: ['depression', 'depressive', 'mdd', 'major depression', 'major depressive disorder'],
  'depression-score': ['phq', 'phq-9', 'phq-2', 'patient health questionnaire', 'epds', 'edinburgh postnatal'],
  antidepressant: ['antidepressant', 'ssri', 'snri', 'sertraline', 'zoloft', 'escitalopram', 'lexapro', 'citalopram', 'fluoxetine', 'prozac', 'paroxetine', 'venlafaxine', 'effexor', 'duloxetine', 'cymbalta', 'mirtazapine'],
  suicide: ['suicide', 'suicidal', 'self-harm', 'self harm', 'kill myself', 'thoughts of death'],
  anxiety: ['anxiety', 'gad', 'gad-7', 'generalized anxiety', 'generalised anxiety', 'panic', 'worrier'],
  benzodiazepine: ['benzodiazepine', 'benzo', 'benzos', 'lorazepam', 'ativan', 'alprazolam', 'xanax', 'diazepam', 'valium', 'clonazepam', 'klonopin'],
  psychotherapy: ['psychotherapy', 'cbt', 'cognitive behavioral therapy', 'cognitive behavioural therapy', 'talk therapy', 'counseling', 'counselling', 'therapist', 'guided self-help', 'behavioral activation'],
  postpartum: ['postpartum', 'postnatal', 'after childbirth', 'after delivery', 'perinatal', 'after giving birth', 'new mother', 'puerperal'],
  pregnancy: ['pregnancy', 'pregnant', 'trimester', 'first trimester', 'gestation', 'antenatal', 'prenatal', 'conception'],
  questionnaire: ['questionnaire', 'screening tool', 'scale', 'instrument', 'score', 'scoring'],

  // ---------------------------------------------------------------- lungs
  asthma: ['asthma', 'asthmatic', 'reactive airway'],
  'short-acting-bronchodilator': ['albuterol', 'salbutamol', 'ventolin', 'proair', 'saba', 'short-acting beta-agonist', 'short-acting beta agonist', 'rescue inhaler', 'reliever', 'puffer'],
  'inhaled-corticosteroid': ['inhaled corticosteroid', 'inhaled steroid', 'ics', 'budesonide', 'fluticasone', 'beclomethasone', 'mometasone', 'ciclesonide', 'preventer', 'controller inhaler'],
  'long-acting-bronchodilator': ['laba', 'lama', 'formoterol', 'salmeterol', 'tiotropium', 'umeclidinium', 'vilanterol', 'glycopyrronium', 'long-acting bronchodilator', 'bronchodilator', 'inhaler'],
  'triple-inhaler': ['triple therapy', 'triple inhaler', 'trelegy', 'ics/laba/lama', 'laba+lama+ics', 'laba lama ics'],
  spirometry: ['spirometry', 'fev1', 'fvc', 'fev1/fvc', 'lung function', 'pulmonary function', 'pft', 'pfts', 'peak flow', 'peak expiratory', 'reversibility', 'airflow', 'airflow limitation'],
  copd: ['copd', 'emphysema', 'chronic bronchitis', 'chronic obstructive', 'gold group'],
  eosinophils: ['eosinophils', 'eosinophil', 'eos', 'eosinophilia', 'eosinophil count'],
  exacerbation: ['exacerbation', 'flare', 'flare-up', 'attack', 'attacks', 'worsening'],
  pneumonia: ['pneumonia', 'chest infection', 'lung infection', 'infiltrate', 'consolidation', 'lower respiratory tract infection', 'lrti'],
  'severity-score': ['curb-65', 'curb65', 'curb', 'psi', 'pneumonia severity index', 'severity score'],
  'site-of-care': ['admit', 'admission', 'hospitalize', 'hospitalise', 'hospitalization', 'inpatient', 'send home', 'outpatient', 'home treatment', 'ambulatory care'],

  // ---------------------------------------------------------------- smoking
  smoking: ['smoking', 'smoker', 'smokes', 'smoke', 'smoked', 'cigarette', 'tobacco', 'nicotine', 'vaping', 'e-cigarette', 'pack-year', 'pack year', 'pack-years', 'ex-smoker', 'former smoker'],
  cessation: ['quit', 'quitting', 'stop smoking', 'cessation', 'quit smoking', 'give up smoking', 'quit date', 'quitline'],
  'nicotine-replacement': ['nicotine replacement', 'nrt', 'nicotine patch', 'patch', 'nicotine gum', 'lozenge'],
  varenicline: ['varenicline', 'chantix', 'champix'],
  'lung-cancer-screening': ['low-dose ct', 'ldct', 'ct chest', 'chest ct', 'ct of the chest', 'lung cancer', 'lung cancer screening'],
  'aortic-aneurysm': ['aaa', 'abdominal aortic aneurysm', 'aortic aneurysm'],

  // ---------------------------------------------------------------- gut and liver
  gerd: ['gerd', 'gord', 'gastroesophageal reflux', 'gastro-oesophageal reflux', 'reflux disease', 'esophagitis', 'oesophagitis'],
  'acid-suppression': ['ppi', 'proton pump inhibitor', 'omeprazole', 'prilosec', 'esomeprazole', 'nexium', 'pantoprazole', 'lansoprazole', 'rabeprazole', 'acid suppression', 'h2 blocker', 'famotidine', 'h2ra', 'h2-receptor antagonist', 'antacid'],
  barrett: ['barrett', 'barretts', "barrett's esophagus"],
  'fatty-liver': ['fatty liver', 'steatosis', 'steatotic', 'masld', 'nafld', 'mash', 'nash', 'hepatic steatosis', 'liver fat', 'steatohepatitis'],
  'liver-enzymes': ['alt', 'ast', 'liver enzymes', 'transaminases', 'transaminase', 'lfts', 'liver function tests', 'liver tests'],
  'liver-fibrosis': ['fibrosis', 'fib-4', 'fib4', 'elastography', 'fibroscan', 'liver stiffness', 'cirrhosis', 'vcte', 'elf test'],
  liver: ['liver', 'hepatic', 'hepatology', 'hepatologist'],

  // ---------------------------------------------------------------- bones and joints
  osteoporosis: ['osteoporosis', 'osteoporotic', 'osteopenia', 'bone density', 'bmd', 'dxa', 'dexa', 'bone density scan', 't-score', 't score', 'fragility fracture', 'bone loss', 'brittle bones', 'low bone mass', 'frax'],
  bisphosphonate: ['bisphosphonate', 'alendronate', 'alendronic', 'fosamax', 'risedronate', 'ibandronate', 'zoledronic', 'zoledronate', 'reclast'],
  'bone-agent': ['denosumab', 'prolia', 'teriparatide', 'forteo', 'abaloparatide', 'romosozumab', 'anabolic'],
  'calcium-vitamin-d': ['calcium', 'vitamin d', 'cholecalciferol', '25-hydroxyvitamin d'],
  fracture: ['fracture', 'fractures', 'broken hip', 'hip fracture', 'vertebral fracture', 'compression fracture'],
  discontinuation: ['drug holiday', 'discontinue', 'discontinuation', 'stop it', 'stopping', 'taper', 'tapering', 'come off', 'wean', 'deprescribe', 'how to stop', 'when to stop'],
  gout: ['gout', 'gouty', 'urate', 'uric acid', 'hyperuricemia', 'hyperuricaemia', 'tophi', 'tophus', 'monosodium urate', 'crystals'],
  colchicine: ['colchicine', 'colcrys'],
  'urate-lowering-drug': ['allopurinol', 'zyloprim', 'febuxostat', 'urate-lowering', 'urate lowering', 'ult'],
  nsaid: ['nsaid', 'nsaids', 'ibuprofen', 'naproxen', 'diclofenac', 'celecoxib', 'meloxicam', 'advil', 'motrin', 'aleve', 'anti-inflammatory', 'anti-inflammatories'],
  corticosteroid: ['steroid', 'steroids', 'prednisone', 'prednisolone', 'glucocorticoid', 'corticosteroid', 'methylprednisolone', 'triamcinolone', 'cortisone'],
  'joint-injection': ['injection', 'intra-articular', 'joint injection', 'steroid injection', 'shot', 'jab', 'hyaluronic acid'],
  osteoarthritis: ['osteoarthritis', 'oa', 'arthritic', 'arthritis', 'degenerative joint', 'wear and tear', 'joint space narrowing', 'osteophytes'],
  knee: ['knee', 'knees', 'tibiofemoral', 'patellofemoral'],
  'muscle-relaxant': ['muscle relaxant', 'skeletal muscle relaxant', 'cyclobenzaprine', 'methocarbamol', 'tizanidine', 'baclofen', 'flexeril'],
  opioid: ['opioid', 'opioids', 'tramadol', 'oxycodone', 'hydrocodone', 'morphine', 'codeine', 'narcotic', 'narcotics', 'opiate', 'butalbital'],
  acetaminophen: ['acetaminophen', 'paracetamol', 'tylenol', 'panadol'],

  // ---------------------------------------------------------------- infection
  uti: ['uti', 'urinary tract infection', 'urine infection', 'cystitis', 'bladder infection', 'pyelonephritis', 'pyelo', 'kidney infection', 'bacteriuria', 'urosepsis'],
  'urine-test': ['urinalysis', 'dipstick', 'urine culture', 'urine test', 'nitrite', 'nitrites', 'leukocyte esterase', 'pyuria', 'urine dip'],
  antibiotic: ['antibiotic', 'antibiotics', 'abx', 'nitrofurantoin', 'macrobid', 'macrodantin', 'trimethoprim', 'sulfamethoxazole', 'tmp-smx', 'co-trimoxazole', 'bactrim', 'fosfomycin', 'ciprofloxacin', 'cipro', 'levofloxacin', 'moxifloxacin', 'fluoroquinolone', 'amoxicillin', 'augmentin', 'amoxicillin-clavulanate', 'co-amoxiclav', 'doxycycline', 'azithromycin', 'zithromax', 'macrolide', 'clarithromycin', 'cephalosporin', 'cefuroxime', 'cefpodoxime', 'ceftriaxone', 'cephalexin', 'pivmecillinam'],

  // ---------------------------------------------------------------- migraine drugs
  triptan: ['triptan', 'sumatriptan', 'imitrex', 'rizatriptan', 'maxalt', 'zolmitriptan', 'eletriptan', 'naratriptan', 'frovatriptan'],
  'cgrp-drug': ['gepant', 'ubrogepant', 'rimegepant', 'atogepant', 'zavegepant', 'cgrp', 'erenumab', 'aimovig', 'fremanezumab', 'galcanezumab', 'emgality', 'eptinezumab', 'lasmiditan', 'botox', 'onabotulinumtoxina', 'botulinum'],
  prophylaxis: ['preventive', 'preventative', 'prophylaxis', 'prophylactic', 'prevention'],
  'medication-overuse': ['medication overuse', 'medication-overuse', 'rebound headache', 'analgesic overuse'],

  // ---------------------------------------------------------------- tests and procedures
  imaging: ['imaging', 'mri', 'ct', 'ct scan', 'x-ray', 'xray', 'radiograph', 'radiography', 'scan', 'ultrasound', 'neuroimaging', 'chest x-ray'],
  ecg: ['ecg', 'ekg', 'electrocardiogram', 'rhythm strip', 'holter'],
};

/**
 * Cardinal findings and the condition they point to: a text naming the finding also gets the
 * condition's concept, at half weight, so "always thirsty" leans toward diabetes documents even
 * when the question never says diabetes.
 */
export const CLINICAL_IMPLICATIONS: Readonly<Record<string, readonly string[]>> = {
  polydipsia: ['diabetes'],
  polyuria: ['diabetes'],
  'cold-intolerance': ['hypothyroidism'],
  'heat-intolerance': ['hyperthyroidism'],
  orthopnea: ['heart-failure'],
  pica: ['iron'],
  microcytosis: ['iron'],
  macrocytosis: ['b12'],
  snoring: ['sleep-apnea'],
  'breathing-pauses': ['sleep-apnea'],
  anhedonia: ['depression'],
  'low-mood': ['depression'],
  worry: ['anxiety'],
  dysuria: ['uti'],
  'big-toe': ['gout'],
  wheeze: ['asthma'],
  heartburn: ['gerd'],
  'one-sided': ['headache'],
  throbbing: ['headache'],
  photophobia: ['headache'],
};

/** A measurement named in a text ("A1c came back 6.1%") and what its value means. */
export interface ClinicalValueRule {
  /** How the measurement is written, matched case-insensitively ("phq-9" also matches "PHQ 9"). */
  names: readonly string[];
  /** Value ranges, min inclusive and max exclusive, and the concepts a value in range adds. */
  ranges: ReadonlyArray<{ min: number; max: number; concepts: readonly string[] }>;
}

/** Thresholds from the guidelines the knowledge base cites (ADA, PHQ-9/GAD-7, ATA, AHA/ACC, KDIGO, ACC/AHA AF). */
export const CLINICAL_VALUE_RULES: readonly ClinicalValueRule[] = [
  {
    names: ['a1c', 'hba1c', 'hemoglobin a1c', 'haemoglobin a1c'],
    ranges: [
      { min: 5.7, max: 6.5, concepts: ['prediabetes'] },
      { min: 6.5, max: 20, concepts: ['diabetes'] },
      { min: 39, max: 48, concepts: ['prediabetes'] },
      { min: 48, max: 200, concepts: ['diabetes'] },
    ],
  },
  {
    names: ['fasting glucose', 'fasting sugar', 'fasting blood sugar', 'fasting plasma glucose', 'fpg'],
    ranges: [
      { min: 5.6, max: 7.0, concepts: ['prediabetes'] },
      { min: 7.0, max: 40, concepts: ['diabetes'] },
      { min: 100, max: 126, concepts: ['prediabetes'] },
      { min: 126, max: 2000, concepts: ['diabetes'] },
    ],
  },
  {
    names: ['glucose', 'blood sugar', 'sugar', 'bg'],
    ranges: [{ min: 0, max: 70, concepts: ['hypoglycemia'] }],
  },
  { names: ['phq-9', 'phq9'], ranges: [{ min: 10, max: 28, concepts: ['depression'] }] },
  { names: ['gad-7', 'gad7'], ranges: [{ min: 10, max: 22, concepts: ['anxiety'] }] },
  {
    names: ['tsh'],
    ranges: [
      { min: 0, max: 0.4, concepts: ['hyperthyroidism'] },
      { min: 4.5, max: 500, concepts: ['hypothyroidism'] },
    ],
  },
  { names: ['ldl', 'ldl-c', 'ldl cholesterol'], ranges: [{ min: 190, max: 2000, concepts: ['familial-hypercholesterolemia'] }] },
  { names: ['egfr', 'gfr'], ranges: [{ min: 0, max: 60, concepts: ['kidney'] }] },
  { names: ['cha2ds2-vasc', 'chads2-vasc', 'cha2ds2vasc'], ranges: [{ min: 2, max: 10, concepts: ['anticoagulant'] }] },
];

/** Everything the local embedding knows about clinical language, fingerprinted as one. */
export interface ClinicalVocabulary {
  lexicon: ClinicalLexicon;
  implications: Readonly<Record<string, readonly string[]>>;
  valueRules: readonly ClinicalValueRule[];
}

export const CLINICAL_VOCABULARY: ClinicalVocabulary = {
  lexicon: CLINICAL_LEXICON,
  implications: CLINICAL_IMPLICATIONS,
  valueRules: CLINICAL_VALUE_RULES,
};
