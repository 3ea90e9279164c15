import type { ControlId } from '../controls';

/** Framework requirement IDs an auditor navigates by, for one control. */
export interface FrameworkRefs {
  /** NIST SP 800-53 rev. 5 controls (and enhancements). */
  readonly nist80053r5: readonly string[];
  /** PCI DSS v3.2.1 requirements. */
  readonly pciDss321: readonly string[];
  /** PCI DSS v4.0 requirements. */
  readonly pciDss40: readonly string[];
  /** AICPA SOC 2 Trust Services Criteria (2017, revised points of focus 2022). */
  readonly soc2: readonly string[];
}

export const FRAMEWORK_NAMES: Readonly<Record<keyof FrameworkRefs, string>> = {
  nist80053r5: 'NIST 800-53 rev5',
  pciDss321: 'PCI DSS 3.2.1',
  pciDss40: 'PCI DSS 4.0',
  soc2: 'SOC 2',
};

/**
 * Where each control of the catalog helps meet a framework requirement. It is
 * a navigation aid, not a certification: the compliance owner confirms it
 * with the assessor, and a control only contributes to the requirements it
 * is mapped to while its status is PASS.
 */
export const FRAMEWORK_NOTE =
  'Indicative mapping for navigation; confirm scope with your assessor. A control supports its requirements only while its status is PASS.';

const m = (nist80053r5: string[], pciDss321: string[], pciDss40: string[], soc2: string[]): FrameworkRefs => ({
  nist80053r5,
  pciDss321,
  pciDss40,
  soc2,
});

export const FRAMEWORKS: Readonly<Record<ControlId, FrameworkRefs>> = {
  'NET-1': m(
    ['SC-7', 'SC-7(5)', 'AC-4'],
    ['1.2', '1.3.1', '1.3.2', '1.3.7'],
    ['1.3.1', '1.4.1', '1.4.2', '1.4.4'],
    ['CC6.1', 'CC6.6'],
  ),
  'NET-2': m(
    ['SC-7', 'SC-7(4)', 'AC-17', 'CM-7'],
    ['1.2.1', '1.3.1', '1.3.2', '2.2.2'],
    ['1.2.1', '1.3.1', '1.4.2', '2.2.4'],
    ['CC6.6'],
  ),
  'NET-3': m(['SC-8', 'SC-8(1)', 'SC-13', 'SC-23'], ['2.3', '4.1'], ['2.2.7', '4.2.1'], ['CC6.7']),
  'NET-4': m(['SC-7', 'SI-10', 'SI-4', 'AU-6'], ['1.3.1', '6.6'], ['1.4.2', '6.4.2'], ['CC6.6', 'CC7.2']),
  'NET-5': m(['SC-5', 'SC-7', 'SI-3', 'SI-4'], ['6.6'], ['6.4.1', '6.4.2'], ['CC6.6', 'CC6.8', 'CC7.2']),
  'NET-6': m(['AU-2', 'AU-12', 'SI-4', 'SC-7'], ['1.3.4', '10.1', '10.2'], ['1.4.2', '10.2.1'], ['CC6.6', 'CC7.2']),
  'NET-7': m(['SC-7', 'SC-8', 'AC-3'], ['4.1'], ['4.2.1'], ['CC6.7']),
  'IMM-1': m(
    ['CM-2', 'CM-6', 'RA-5', 'SI-2'],
    ['2.2', '6.2', '11.2'],
    ['2.2.1', '6.3.3', '11.3.1'],
    ['CC7.1', 'CC8.1'],
  ),
  'IMM-2': m(['CM-2', 'CM-3', 'SI-2', 'CP-10'], ['6.2', '6.4.5'], ['6.3.3', '6.5.1'], ['CC7.1', 'CC8.1']),
  'IMM-3': m(['SI-14', 'CM-2'], ['2.2'], ['2.2.1'], ['CC7.1', 'CC8.1']),
  'IMM-4': m(['SI-2', 'SI-2(2)', 'RA-5'], ['6.2'], ['6.3.3'], ['CC7.1']),
  'IMM-5': m(['CM-2(3)', 'CM-3'], ['2.2'], ['2.2.1'], ['CC8.1']),
  'IMM-6': m(
    ['CM-6', 'CM-7', 'AC-6', 'SC-28'],
    ['2.2', '2.2.4', '7.1.2'],
    ['2.2.1', '2.2.6', '7.2.1'],
    ['CC6.1', 'CC6.8'],
  ),
  'IMM-7': m(['CP-2', 'CP-10', 'SC-5'], [], [], ['A1.2']),
  'IMM-8': m(['CP-6', 'CP-9', 'SC-28'], [], [], ['A1.2']),
  'IMM-9': m(['CM-2', 'CM-3', 'CM-14', 'SI-7', 'SI-7(6)'], ['6.4.5'], ['6.5.1', '6.5.6'], ['CC8.1', 'CC7.1']),
  'IMM-10': m(['SI-2', 'SI-2(2)', 'SI-2(5)', 'RA-5'], ['6.2'], ['6.3.3'], ['CC7.1']),
  'DATA-1': m(
    ['SC-8', 'SC-28', 'SC-28(1)', 'CP-9', 'AC-6'],
    ['3.4', '4.1', '8.2.1'],
    ['3.5.1', '4.2.1', '8.3.2'],
    ['CC6.1', 'CC6.7', 'A1.2'],
  ),
  'DATA-2': m(
    ['SC-28', 'SC-8', 'AC-3', 'AC-6', 'AU-2'],
    ['3.4', '7.1', '10.2'],
    ['3.5.1', '7.2.1', '10.2.1'],
    ['CC6.1', 'CC6.7'],
  ),
  'DATA-3': m(['CP-9', 'CP-9(8)', 'CP-6', 'CP-6(1)'], ['9.5.1'], ['9.4.1'], ['A1.2', 'A1.3']),
  'DATA-4': m(['CP-6', 'CP-9', 'SC-28'], [], [], ['A1.2']),
  'DATA-5': m(['CP-4', 'CP-9(1)'], ['12.10.2'], ['12.10.2'], ['A1.3']),
  'DATA-6': m(['SC-12', 'SC-13', 'SC-28'], ['3.5', '3.6', '3.6.4'], ['3.6.1', '3.7.4'], ['CC6.1']),
  'DATA-7': m(['CP-9', 'CP-10', 'CM-3'], [], [], ['A1.2', 'CC8.1']),
  'DATA-8': m(['CM-8', 'RA-2'], ['2.4', '9.6.1'], ['12.5.1', '9.4.2'], ['CC6.1']),
  'DATA-9': m(['AC-3', 'AC-4', 'SC-4', 'AU-2', 'AU-12'], ['7.1', '10.2.1'], ['7.2.1', '10.2.1'], ['CC6.1', 'C1.1']),
  'DATA-10': m(['SI-12', 'SI-12(3)', 'MP-6', 'AU-10'], ['3.1'], ['3.2.1'], ['C1.2', 'P4.3']),
  'LOG-1': m(
    ['AU-2', 'AU-3', 'AU-9', 'AU-9(3)', 'AU-11'],
    ['10.1', '10.2', '10.5', '10.5.5', '10.7'],
    ['10.2.1', '10.3.2', '10.3.4', '10.5.1'],
    ['CC7.2', 'CC7.3'],
  ),
  'LOG-2': m(['AU-9', 'AU-11', 'SI-12'], ['10.7'], ['10.5.1'], ['CC7.2']),
  'LOG-3': m(['AU-4', 'AU-6(4)', 'AU-9', 'AU-11'], ['10.5.3', '10.7'], ['10.3.3', '10.5.1'], ['CC7.2']),
  'LOG-4': m(['SI-4', 'AU-6', 'IR-4', 'IR-6'], ['10.6', '10.6.1'], ['10.4.1', '10.7.2'], ['CC7.2', 'CC7.3']),
  'LOG-5': m(['SI-4', 'RA-5', 'CA-7'], ['11.4', '11.5'], ['11.3.1', '11.5.1'], ['CC7.1', 'CC7.2']),
  'LOG-6': m(['AU-2', 'AU-12', 'AC-17(1)'], ['10.2.2'], ['10.2.1.2'], ['CC7.2']),
  'IAM-1': m(['IA-2(1)', 'IA-2(2)', 'AC-2', 'AC-6'], ['8.3', '8.3.1'], ['8.4.1', '8.4.2'], ['CC6.1', 'CC6.2', 'CC6.3']),
  'IAM-2': m(['AC-3', 'AC-6', 'AC-6(1)'], ['7.1', '7.1.2'], ['7.2.1', '7.2.2'], ['CC6.3']),
  'IAM-3': m(['CM-4(1)', 'AC-5'], ['6.4.1'], ['6.5.3'], ['CC8.1']),
  'SDLC-1': m(['CM-6', 'SA-11', 'CA-2'], ['2.2', '6.3'], ['2.2.1', '6.2.3'], ['CC7.1', 'CC8.1']),
  'SDLC-2': m(['CM-3', 'SA-10'], ['6.4', '6.4.5'], ['6.5.1'], ['CC8.1']),
  'SDLC-3': m(['RA-5', 'SI-2', 'SA-11'], ['6.1', '6.2'], ['6.3.1', '6.3.2'], ['CC7.1']),
  'SDLC-4': m(['CA-2', 'CA-7'], ['12.4'], ['12.4.1'], ['CC4.1']),
  'OPS-1': m(['CA-7', 'CM-6', 'SI-4'], ['11.5'], ['11.5.2'], ['CC4.1', 'CC7.1']),
  'OPS-2': m(['CP-10', 'CM-3', 'IR-4'], [], [], ['A1.2', 'CC7.4', 'CC7.5']),
  'OPS-3': m(['CA-7', 'CM-3(5)', 'CM-6', 'SI-4'], ['11.5'], ['11.5.2'], ['CC4.1', 'CC7.1']),
};

/** A public security page a control's promise comes from. */
export interface SeedSource {
  /** The company that publishes the page. */
  readonly company: string;
  /** The page's title as published. */
  readonly page: string;
  /** The copy the catalog was written from (CONTROLS.md's seed file), for the cross-check test only. */
  readonly file: string;
}

/**
 * What the source letters of the control catalog stand for: the security
 * pages of five SaaS companies whose promises the controls turn into
 * infrastructure. Reports and docs cite them by company and page, never by
 * file.
 */
export const SEEDS: Readonly<Record<string, SeedSource>> = {
  K: { company: 'Kontext', page: 'Security Overview', file: '000_b4421103b72e8cee.txt' },
  L: { company: 'Kaleo', page: 'Security', file: '001_50621c01ccd22761.txt' },
  T: { company: 'TeamBench', page: 'Data protection policy', file: '002_d509c6ba1f6a9163.txt' },
  C: {
    company: 'Conceptsauce',
    page: 'Client Data Security within Conceptsauce systems',
    file: '003_5258adcf8157b631.txt',
  },
  R: { company: 'Kritik', page: 'Security', file: '004_d45d152656e58f66.txt' },
};

/** "Kontext (Security Overview)": how a report or a doc names a source letter. */
export function seedCitation(letter: string): string {
  const s = SEEDS[letter];
  return s ? `${s.company} ("${s.page}")` : `unknown source ${letter}`;
}
