import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern, type EventPattern } from '../../infra/local/event-pattern.ts';

/** A full EventBridge event, with the given fields overriding a neutral envelope. */
function event(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'Test Event',
    source: 'test.source',
    account: '111122223333',
    time: '2017-12-22T18:43:48Z',
    region: 'us-west-1',
    resources: [],
    detail: {},
    ...fields,
  };
}

/** Parses both sides from JSON text, as the emulator receives them. */
function matchJson(patternText: string, eventText: string): boolean {
  const pattern: unknown = JSON.parse(patternText);
  validatePattern(pattern);
  return matchesPattern(pattern, JSON.parse(eventText) as Record<string, unknown>);
}

function matches(pattern: EventPattern, evt: Record<string, unknown>): boolean {
  validatePattern(pattern);
  return matchesPattern(pattern, evt);
}

describe('doc examples', () => {
  // Amazon EventBridge event patterns
  describe('Amazon EventBridge event patterns', () => {
    const ec2Event = {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '111122223333',
      time: '2017-12-22T18:43:48Z',
      region: 'us-west-1',
      resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
      detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
    };
    const terminationPattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };

    it('matches the EC2 instance-termination event', () => {
      expect(matches(terminationPattern, ec2Event)).toBe(true);
    });

    it('does not match when the detail.state differs', () => {
      expect(matches(terminationPattern, { ...ec2Event, detail: { ...ec2Event.detail, state: 'running' } })).toBe(false);
    });

    it('requires every field named in the pattern to be in the event', () => {
      const { detail: _detail, ...withoutDetail } = ec2Event;
      expect(matches(terminationPattern, withoutDetail)).toBe(false);
    });

    it('requires the same nesting structure', () => {
      const flattened = { ...ec2Event, detail: undefined, state: 'terminated' };
      expect(matches(terminationPattern, flattened)).toBe(false);
    });

    it('ignores event fields the pattern does not mention', () => {
      expect(matches({ source: ['aws.ec2'] }, ec2Event)).toBe(true);
    });

    it.each([
      ['aws.ec2', true],
      ['aws.fargate', true],
      ['aws.s3', false],
    ])('match values are alternatives: source %s -> %s', (source, expected) => {
      expect(matches({ source: ['aws.ec2', 'aws.fargate'] }, { ...ec2Event, source })).toBe(expected);
    });

    it('uses exact, case-sensitive string matching', () => {
      expect(matches({ source: ['AWS.EC2'] }, ec2Event)).toBe(false);
      expect(matches({ source: ['aws.ec2 '] }, ec2Event)).toBe(false);
    });

    const autoscalingEvent = {
      version: '0',
      id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
      'detail-type': 'EC2 Instance Launch Successful',
      source: 'aws.autoscaling',
      account: '123456789012',
      time: '2015-11-11T21:31:47Z',
      region: 'us-east-1',
      resources: [],
      detail: { eventVersion: '', responseElements: null },
    };

    it('field matching: matches responseElements null', () => {
      const pattern = {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance Launch Successful'],
        detail: { responseElements: [null] },
      };
      expect(matches(pattern, autoscalingEvent)).toBe(true);
    });

    const macieEvent = {
      version: '0',
      id: '3e355723-fca9-4de3-9fd7-154c289d6b59',
      'detail-type': 'Macie Alert',
      source: 'aws.macie',
      account: '123456789012',
      time: '2017-04-24T22:28:49Z',
      region: 'us-east-1',
      resources: [
        'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_id',
        'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id',
      ],
      detail: {
        'notification-type': 'ALERT_CREATED',
        name: 'Scanning bucket policies',
        tags: ['Custom_Alert', 'Insider'],
        'risk-score': 80,
        trigger: { 'alert-type': 'basic', risk: 8 },
      },
    };
    const maciePattern = {
      source: ['aws.macie'],
      'detail-type': ['Macie Alert'],
      detail: { 'risk-score': [80], trigger: { risk: [8] } },
    };

    it('value matching: matches risk-score 80 and trigger risk 8', () => {
      expect(matches(maciePattern, macieEvent)).toBe(true);
    });

    it('value matching: does not match a different nested value', () => {
      expect(matches(maciePattern, { ...macieEvent, detail: { ...macieEvent.detail, trigger: { risk: 7 } } })).toBe(false);
    });

    it('value matching: numbers and strings are different JSON values', () => {
      expect(matches(maciePattern, { ...macieEvent, detail: { ...macieEvent.detail, 'risk-score': '80' } })).toBe(false);
    });
  });

  // Matching null values and empty strings in Amazon EventBridge event patterns
  describe('Matching null values and empty strings in Amazon EventBridge event patterns', () => {
    const evt = event({ source: 'aws.autoscaling', detail: { eventVersion: '', responseElements: null } });

    it('matches an empty string', () => {
      expect(matches({ detail: { eventVersion: [''] } }, evt)).toBe(true);
    });

    it('matches a null value', () => {
      expect(matches({ detail: { responseElements: [null] } }, evt)).toBe(true);
    });

    it('null and empty string are not interchangeable', () => {
      expect(matches({ detail: { eventVersion: [null] } }, evt)).toBe(false);
      expect(matches({ detail: { responseElements: [''] } }, evt)).toBe(false);
    });

    it('null does not match a missing field', () => {
      expect(matches({ detail: { missing: [null] } }, evt)).toBe(false);
    });
  });

  // Arrays in Amazon EventBridge event patterns
  describe('Arrays in Amazon EventBridge event patterns', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };

    it('matches when the pattern array and the event array intersect', () => {
      const evt = event({
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      });
      expect(matches(pattern, evt)).toBe(true);
    });

    it('does not match when the intersection is empty', () => {
      expect(matches(pattern, event({ resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] }))).toBe(false);
      expect(matches(pattern, event({ resources: [] }))).toBe(false);
    });
  });

  // Content filtering in Amazon EventBridge event patterns
  describe('Content filtering in Amazon EventBridge event patterns', () => {
    // The sample event the content-filtering patterns were written against
    // (it also opens the Event Ruler README, the engine behind EventBridge).
    const ec2 = {
      version: '0',
      id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '012345679012',
      time: '2017-10-02T16:24:49Z',
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: {
        'c-count': 5,
        'd-count': 3,
        'x-limit': 301.8,
        'source-ip': '10.0.0.33',
        'instance-id': 'i-000000aaaaaa00000',
        state: 'running',
      },
    };
    const withDetail = (detail: Record<string, unknown>) => ({ ...ec2, detail: { ...ec2.detail, ...detail } });

    describe('prefix matching', () => {
      const pattern = { time: [{ prefix: '2017-10-02' }] };
      it.each([
        ['2017-10-02T18:43:48Z', true],
        ['2017-10-03T18:43:48Z', false],
      ])('time %s -> %s', (time, expected) => {
        expect(matches(pattern, { ...ec2, time })).toBe(expected);
      });

      it('ignoring case: matches EventB, EVENTB and eventb prefixes', () => {
        const ignoreCase = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
        for (const service of ['EventBridge', 'EVENTBRIDGE', 'eventbridge', 'eVeNtB']) {
          expect(matches(ignoreCase, withDetail({ service }))).toBe(true);
        }
        expect(matches(ignoreCase, withDetail({ service: 'Event Bus' }))).toBe(false);
      });
    });

    describe('suffix matching', () => {
      it.each([
        ['image.png', true],
        ['image.PNG', false],
        ['image.jpg', false],
      ])('FileName %s -> %s', (FileName, expected) => {
        expect(matches({ FileName: [{ suffix: '.png' }] }, { ...ec2, FileName })).toBe(expected);
      });

      it.each([
        ['image.png', true],
        ['image.PNG', true],
        ['image.pNg', true],
        ['image.jpg', false],
      ])('ignoring case: FileName %s -> %s', (FileName, expected) => {
        const pattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
        expect(matches(pattern, withDetail({ FileName }))).toBe(expected);
      });
    });

    describe('anything-but matching', () => {
      it.each([
        ['running', true],
        ['initializing', false],
      ])('single string: state %s -> %s', (state, expected) => {
        expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state }))).toBe(expected);
      });

      it.each([
        [301.8, true],
        [123, false],
      ])('single number: x-limit %s -> %s', (limit, expected) => {
        expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': limit }))).toBe(expected);
      });

      it.each([
        ['running', true],
        ['stopped', false],
        ['overloaded', false],
      ])('list of strings: state %s -> %s', (state, expected) => {
        const pattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
        expect(matches(pattern, withDetail({ state }))).toBe(expected);
      });

      it.each([
        [301.8, true],
        [100, false],
        [200, false],
        [300, false],
      ])('list of numbers: x-limit %s -> %s', (limit, expected) => {
        const pattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
        expect(matches(pattern, withDetail({ 'x-limit': limit }))).toBe(expected);
      });

      it.each([
        ['running', true],
        ['initializing', false],
        ['init', false],
      ])('prefix: state %s -> %s', (state, expected) => {
        const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
        expect(matches(pattern, withDetail({ state }))).toBe(expected);
      });

      it.each([
        ['notes.md', true],
        ['notes.txt', false],
      ])('suffix: FileName %s -> %s', (FileName, expected) => {
        const pattern = { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } };
        expect(matches(pattern, withDetail({ FileName }))).toBe(expected);
      });

      it.each([
        ['running', true],
        ['initializing', false],
        ['INITIALIZING', false],
        ['Initializing', false],
      ])('ignoring case: state %s -> %s', (state, expected) => {
        const pattern = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } };
        expect(matches(pattern, withDetail({ state }))).toBe(expected);
      });

      it.each([
        ['running', true],
        ['Stopped', false],
        ['INITIALIZING', false],
      ])('ignoring case, list: state %s -> %s', (state, expected) => {
        const pattern = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] } };
        expect(matches(pattern, withDetail({ state }))).toBe(expected);
      });

      it.each([
        ['/usr/bin/node', true],
        ['/usr/lib/libc.so', false],
      ])('wildcard: FilePath %s -> %s', (FilePath, expected) => {
        const pattern = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
        expect(matches(pattern, withDetail({ FilePath }))).toBe(expected);
      });

      it.each([
        ['/usr/share/doc', true],
        ['/usr/lib/libc.so', false],
        ['/usr/bin/node', false],
      ])('wildcard, list: FilePath %s -> %s', (FilePath, expected) => {
        const pattern = { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } };
        expect(matches(pattern, withDetail({ FilePath }))).toBe(expected);
      });
    });

    describe('numeric matching', () => {
      const pattern = {
        detail: {
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ numeric: ['=', 3.018e2] }],
        },
      };

      it('matches when every numeric condition holds', () => {
        expect(matches(pattern, ec2)).toBe(true);
      });

      it.each([
        ['c-count', 0],
        ['c-count', 6],
        ['d-count', 10],
        ['x-limit', 301.9],
      ])('does not match when %s is %s', (field, value) => {
        expect(matches(pattern, withDetail({ [field]: value }))).toBe(false);
      });

      it('the range bounds are honoured exactly (> 0 excludes 0, <= 5 includes 5)', () => {
        const range = { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } };
        expect(matches(range, withDetail({ 'c-count': 5 }))).toBe(true);
        expect(matches(range, withDetail({ 'c-count': 0.000001 }))).toBe(true);
        expect(matches(range, withDetail({ 'c-count': 0 }))).toBe(false);
      });

      it('only works on JSON numbers, never on numeric strings', () => {
        expect(matches(pattern, withDetail({ 'c-count': '5' }))).toBe(false);
      });
    });

    describe('IP address matching', () => {
      const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
      it.each([
        ['10.0.0.0', true],
        ['10.0.0.24', true],
        ['10.0.0.255', true],
        ['10.0.1.0', false],
        ['11.0.0.1', false],
        ['not-an-ip', false],
      ])('sourceIPAddress %s -> %s', (ip, expected) => {
        expect(matches(pattern, withDetail({ sourceIPAddress: ip }))).toBe(expected);
      });

      it('works with IPv6 addresses', () => {
        const v6 = { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } };
        expect(matches(v6, withDetail({ sourceIPAddress: '2001:db8:1::1' }))).toBe(true);
        expect(matches(v6, withDetail({ sourceIPAddress: '2001:0DB8:0000:0000:0000:0000:0000:0001' }))).toBe(true);
        expect(matches(v6, withDetail({ sourceIPAddress: '2001:db9::1' }))).toBe(false);
        expect(matches(v6, withDetail({ sourceIPAddress: '10.0.0.1' }))).toBe(false);
      });
    });

    describe('exists matching', () => {
      // The two example events on the page, completed into full events.
      const withoutCount = event({
        'detail-type': 'EC2 Instance State-change Notification',
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
        detail: { state: ['initializing', 'running'] },
      });
      const countIsObject = event({
        'detail-type': 'EC2 Instance State-change Notification',
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
        detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
      });
      const notExists = { detail: { 'c-count': [{ exists: false }] } };

      it('exists:false matches an event without detail.c-count', () => {
        expect(matches(notExists, withoutCount)).toBe(true);
      });

      it('exists:false also matches when c-count is an object, because it is not a leaf', () => {
        expect(matches(notExists, countIsObject)).toBe(true);
      });

      it('exists:false does not match when c-count is a leaf', () => {
        expect(matches(notExists, ec2)).toBe(false);
      });

      it('exists:true matches any event that has detail.state', () => {
        const exists = { detail: { state: [{ exists: true }] } };
        expect(matches(exists, ec2)).toBe(true);
        expect(matches(exists, withoutCount)).toBe(true);
        expect(matches(exists, { ...ec2, detail: { 'c-count': 5 } })).toBe(false);
      });

      it('exists:true does not match an intermediate (object) node', () => {
        expect(matches({ detail: { 'c-count': [{ exists: true }] } }, countIsObject)).toBe(false);
      });
    });

    describe('equals-ignore-case matching', () => {
      const pattern = { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] };
      it.each([
        ['EC2 Instance State-change Notification', true],
        ['ec2 instance state-change notification', true],
        ['EC2 INSTANCE STATE-CHANGE NOTIFICATION', true],
        ['EC2 Instance State-change', false],
      ])('detail-type %s -> %s', (detailType, expected) => {
        expect(matches(pattern, { ...ec2, 'detail-type': detailType })).toBe(expected);
      });
    });

    describe('wildcard matching', () => {
      const pattern = { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } };
      it.each([
        ['arn:aws:events:us-east-1:123456789012:event-bus/default', true],
        ['arn:aws:events:us-east-1:123456789012:event-bus/custodian', true],
        ['arn:aws:events:us-west-2:123456789012:event-bus/default', false],
        ['arn:aws:events:us-east-1:123456789012:rule/default', false],
      ])('EventBusArn %s -> %s', (arn, expected) => {
        expect(matches(pattern, withDetail({ EventBusArn: arn }))).toBe(expected);
      });

      it('the wildcard matches zero characters too', () => {
        expect(matches({ detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FileName: 'dir/.png' }))).toBe(true);
      });

      it('is anchored at both ends', () => {
        const dir = { detail: { FileName: [{ wildcard: 'dir/*' }] } };
        expect(matches(dir, withDetail({ FileName: 'dir/icon.png' }))).toBe(true);
        expect(matches(dir, withDetail({ FileName: 'xdir/icon.png' }))).toBe(false);
      });

      it('\\* is a literal star and \\\\ a literal backslash', () => {
        const star = { detail: { FileName: [{ wildcard: 'a\\*b' }] } };
        expect(matches(star, withDetail({ FileName: 'a*b' }))).toBe(true);
        expect(matches(star, withDetail({ FileName: 'aXb' }))).toBe(false);
        const backslash = { detail: { FileName: [{ wildcard: 'c:\\\\*' }] } };
        expect(matches(backslash, withDetail({ FileName: 'c:\\temp' }))).toBe(true);
      });

      it('rejects consecutive wildcard characters', () => {
        expect(() => validatePattern({ detail: { FileName: [{ wildcard: 'dir/**.png' }] } })).toThrow(
          /detail\.FileName\[0\]\.wildcard: consecutive wildcard/,
        );
      });

      it('allows an escaped star next to a wildcard', () => {
        const pattern2 = { detail: { FileName: [{ wildcard: '*\\*' }] } };
        expect(() => validatePattern(pattern2)).not.toThrow();
        expect(matches(pattern2, withDetail({ FileName: 'rated 5*' }))).toBe(true);
        expect(matches(pattern2, withDetail({ FileName: 'rated 5' }))).toBe(false);
      });

      it('only matches strings', () => {
        expect(matches({ detail: { 'c-count': [{ wildcard: '*' }] } }, ec2)).toBe(false);
      });
    });

    describe('complex example with multiple matching', () => {
      const pattern = {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
        },
      };

      it('matches when every condition holds', () => {
        expect(matches(pattern, ec2)).toBe(true);
      });

      it.each([
        [{ state: 'initializing' }],
        [{ 'c-count': 6 }],
        [{ 'x-limit': 200 }],
      ])('does not match with %j', (detail) => {
        expect(matches(pattern, withDetail(detail))).toBe(false);
      });

      it('does not match another day', () => {
        expect(matches(pattern, { ...ec2, time: '2017-10-03T16:24:49Z' })).toBe(false);
      });
    });

    describe('complex example with $or matching', () => {
      const pattern = {
        detail: {
          $or: [
            { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
            { 'd-count': [{ numeric: ['<', 10] }] },
            { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
          ],
        },
      };

      it('matches when any branch matches', () => {
        expect(matches(pattern, ec2)).toBe(true);
        expect(matches(pattern, { ...ec2, detail: { 'c-count': 99, 'd-count': 99, 'x-limit': 301.8 } })).toBe(true);
      });

      it('does not match when no branch matches', () => {
        expect(matches(pattern, { ...ec2, detail: { 'c-count': 99, 'd-count': 99, 'x-limit': 1 } })).toBe(false);
      });

      it('combines $or with ordinary fields (source AND (metricName OR namespace))', () => {
        const cloudwatch = {
          source: ['aws.cloudwatch'],
          $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
        };
        expect(matches(cloudwatch, event({ source: 'aws.cloudwatch', metricName: 'ReadLatency' }))).toBe(true);
        expect(matches(cloudwatch, event({ source: 'aws.cloudwatch', namespace: 'AWS/ES' }))).toBe(true);
        expect(matches(cloudwatch, event({ source: 'aws.cloudwatch', namespace: 'AWS/S3' }))).toBe(false);
        expect(matches(cloudwatch, event({ source: 'aws.ec2', metricName: 'ReadLatency' }))).toBe(false);
      });

      it('supports nested $or inside a $or branch', () => {
        const nested = {
          source: ['aws.cloudwatch'],
          $or: [
            { metricName: ['CPUUtilization'] },
            { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
          ],
        };
        expect(matches(nested, event({ source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1000 }))).toBe(true);
        expect(matches(nested, event({ source: 'aws.cloudwatch', metricType: 'MetricType', spaceId: 1 }))).toBe(false);
        expect(matches(nested, event({ source: 'aws.cloudwatch', metricId: 1234 }))).toBe(false);
      });
    });
  });

  // Comparison operators for use in event patterns in Amazon EventBridge
  describe('Comparison operators for use in event patterns in Amazon EventBridge', () => {
    const cases: Array<[string, EventPattern, Record<string, unknown>, boolean]> = [
      ['And', { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Monday' }, true],
      ['And (one field differs)', { Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Tuesday' }, false],
      ['Anything-but', { state: [{ 'anything-but': 'initializing' }] }, { state: 'running' }, true],
      ['Anything-but (begins with)', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-2' }, true],
      ['Anything-but (begins with), US', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'us-east-1' }, false],
      ['Anything-but (ends with)', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }, false],
      ['Anything-but (ignore case)', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' }, false],
      ['Anything-but using a wildcard', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: 'src/lib/x.ts' }, false],
      ['Begins with', { Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' }, true],
      ['Begins with (ignore case)', { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, { service: 'EventBridge' }, true],
      ['Empty', { LastName: [''] }, { LastName: '' }, true],
      ['Empty (non-empty value)', { LastName: [''] }, { LastName: 'Smith' }, false],
      ['Equals', { Name: ['Alice'] }, { Name: 'Alice' }, true],
      ['Equals (other case)', { Name: ['Alice'] }, { Name: 'alice' }, false],
      ['Equals (ignore case)', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, true],
      ['Ends with', { FileName: [{ suffix: '.png' }] }, { FileName: 'photo.png' }, true],
      ['Ends with (ignore case)', { service: [{ suffix: { 'equals-ignore-case': 'tBridge' } }] }, { service: 'EVENTBRIDGE' }, true],
      ['Exists', { ProductName: [{ exists: true }] }, { ProductName: 'Custodian' }, true],
      ['Exists (absent)', { ProductName: [{ exists: true }] }, {}, false],
      ['Does not exist', { ProductName: [{ exists: false }] }, {}, true],
      ['Does not exist (present)', { ProductName: [{ exists: false }] }, { ProductName: 'Custodian' }, false],
      ['Not', { Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Sunny' }, true],
      ['Not (excluded)', { Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Raining' }, false],
      ['Null', { UserID: [null] }, { UserID: null }, true],
      ['Null (value present)', { UserID: [null] }, { UserID: 'u-1' }, false],
      ['Numeric (equals)', { Price: [{ numeric: ['=', 100] }] }, { Price: 100 }, true],
      ['Numeric (range)', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 }, true],
      ['Numeric (range), below', { Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 10 }, false],
      ['Or', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' }, true],
      ['Or (neither)', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Cash' }, false],
      ['Or (multiple fields)', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Leeds', Day: 'Monday' }, true],
      ['Or (multiple fields), neither', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Leeds', Day: 'Friday' }, false],
      ['Wildcard', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/photo.png' }, true],
      ['Wildcard (other dir)', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'other/photo.png' }, false],
    ];

    it.each(cases)('%s', (_name, pattern, detail, expected) => {
      expect(matches({ detail: pattern }, event({ detail }))).toBe(expected);
    });
  });
});

describe('Custodian rules', () => {
  const staffRule = { source: ['hr'], 'detail-type': ['Staff Leaver', 'Staff Joiner', 'Staff Leaver Cancelled'] };

  it.each(['Staff Leaver', 'Staff Joiner', 'Staff Leaver Cancelled'])('matches an hr "%s" event', (detailType) => {
    expect(matches(staffRule, event({ source: 'hr', 'detail-type': detailType, detail: { staffId: 'S123' } }))).toBe(true);
  });

  it.each([
    ['another source', { source: 'custodian', 'detail-type': 'Staff Leaver' }],
    ['another detail-type', { source: 'hr', 'detail-type': 'Staff Transfer' }],
    ['a case variant of the detail-type', { source: 'hr', 'detail-type': 'staff leaver' }],
    ['a prefix of an allowed detail-type', { source: 'hr', 'detail-type': 'Staff Leaver Cancel' }],
    ['a detail-type array without the value', { source: 'hr', 'detail-type': ['Other'] }],
  ])('does not match %s', (_name, fields) => {
    expect(matches(staffRule, event(fields))).toBe(false);
  });

  it('does not match an event missing the source field', () => {
    const { source: _source, ...noSource } = event({ 'detail-type': 'Staff Leaver' });
    expect(matches(staffRule, noSource)).toBe(false);
  });
});

describe('matching semantics', () => {
  it('numeric compares numbers as numbers: 300, 300.0 and 3.0e2 are equal', () => {
    const pattern = '{"detail": {"n": [{"numeric": ["=", 3.0e2]}]}}';
    expect(matchJson(pattern, '{"detail": {"n": 300}}')).toBe(true);
    expect(matchJson(pattern, '{"detail": {"n": 300.0}}')).toBe(true);
    expect(matchJson(pattern, '{"detail": {"n": 3.0e2}}')).toBe(true);
    expect(matchJson(pattern, '{"detail": {"n": 301}}')).toBe(false);
  });

  it('a numeric string "5" does not match numeric', () => {
    expect(matchJson('{"n": [{"numeric": [">", 0]}]}', '{"n": "5"}')).toBe(false);
    expect(matchJson('{"n": [{"numeric": [">", 0]}]}', '{"n": 5}')).toBe(true);
  });

  it('booleans match only the JSON literals', () => {
    expect(matchJson('{"flag": [true]}', '{"flag": true}')).toBe(true);
    expect(matchJson('{"flag": [true]}', '{"flag": "true"}')).toBe(false);
    expect(matchJson('{"flag": [false]}', '{"flag": 0}')).toBe(false);
  });

  it('numeric works on each element of an event array', () => {
    expect(matches({ n: [{ numeric: ['>', 10] }] }, { n: [1, 2, 30] })).toBe(true);
    expect(matches({ n: [{ numeric: ['>', 10] }] }, { n: [1, 2, 3] })).toBe(false);
  });

  it('prefix only matches strings', () => {
    expect(matches({ n: [{ prefix: '5' }] }, { n: 55 })).toBe(false);
    expect(matches({ n: [{ prefix: '' }] }, { n: 'anything' })).toBe(true);
  });

  it('anything-but matches leaves of other types, including null, but never a missing field', () => {
    expect(matches({ command: [{ 'anything-but': ['no-message'] }] }, { command: null })).toBe(true);
    expect(matches({ command: [{ 'anything-but': 'x' }] }, { command: 5 })).toBe(true);
    expect(matches({ command: [{ 'anything-but': 'x' }] }, {})).toBe(false);
    expect(matches({ command: [{ 'anything-but': 'x' }] }, { command: { nested: 'y' } })).toBe(false);
  });

  it('anything-but against an event array matches when some element is not excluded', () => {
    const pattern = { tags: [{ 'anything-but': 'Insider' }] };
    expect(matches(pattern, { tags: ['Custom_Alert', 'Insider'] })).toBe(true);
    expect(matches(pattern, { tags: ['Insider'] })).toBe(false);
  });

  it('exists:false matches when an intermediate parent is missing', () => {
    expect(matches({ detail: { a: { b: [{ exists: false }] } } }, event({ detail: {} }))).toBe(true);
    expect(matches({ detail: { a: { b: [{ exists: false }] } } }, event({ detail: { a: 'scalar' } }))).toBe(true);
    expect(matches({ detail: { a: { b: [{ exists: false }] } } }, event({ detail: { a: { b: 1 } } }))).toBe(false);
  });

  it('exists treats null as a leaf and an empty array as no leaf', () => {
    expect(matches({ v: [{ exists: true }] }, { v: null })).toBe(true);
    expect(matches({ v: [{ exists: true }] }, { v: [] })).toBe(false);
    expect(matches({ v: [{ exists: false }] }, { v: [] })).toBe(true);
  });

  it('exists can be mixed with value alternatives', () => {
    const pattern = { status: [{ exists: false }, 'active'] };
    expect(matches(pattern, {})).toBe(true);
    expect(matches(pattern, { status: 'active' })).toBe(true);
    expect(matches(pattern, { status: 'left' })).toBe(false);
  });

  it('nested patterns against an array of objects must match within one element', () => {
    const evt = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(matches({ employees: { firstName: ['Anna'] } }, evt)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, evt)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, evt)).toBe(false);
  });

  it('a leaf pattern does not match an object value, and a nested pattern does not match a scalar', () => {
    expect(matches({ detail: ['x'] }, event({ detail: { x: 1 } }))).toBe(false);
    expect(matches({ source: { x: ['y'] } }, event({ source: 'y' }))).toBe(false);
  });

  it('$or can be used at any level and combined with sibling fields', () => {
    const pattern = {
      source: ['hr'],
      detail: { $or: [{ role: ['teacher'] }, { department: [{ prefix: 'IT' }] }] },
    };
    expect(matches(pattern, event({ source: 'hr', detail: { role: 'teacher' } }))).toBe(true);
    expect(matches(pattern, event({ source: 'hr', detail: { department: 'IT Support' } }))).toBe(true);
    expect(matches(pattern, event({ source: 'hr', detail: { role: 'admin', department: 'Finance' } }))).toBe(false);
  });

  it('cidr uses the address as written as the bottom of the range, like Event Ruler', () => {
    const pattern = { ip: [{ cidr: '10.0.0.0/8' }] };
    expect(matches(pattern, { ip: '10.255.255.255' })).toBe(true);
    expect(matches(pattern, { ip: '9.255.255.255' })).toBe(false);
    expect(matches({ ip: [{ cidr: '::/0' }] }, { ip: '::1' })).toBe(true);
  });

  it('does not see inherited object properties as fields', () => {
    expect(matches({ toString: [{ exists: true }] }, {})).toBe(false);
    expect(matches({ toString: [{ exists: false }] }, {})).toBe(true);
  });

  it('validates the pattern on first use', () => {
    expect(() => matchesPattern({ source: [] }, event({}))).toThrow(/empty arrays/);
  });
});

describe('validatePattern', () => {
  it('accepts every documented operator', () => {
    const pattern = {
      source: ['aws.ec2', 'hr', 5, true, null],
      time: [{ prefix: '2017' }, { prefix: { 'equals-ignore-case': 'x' } }],
      file: [{ suffix: '.png' }, { suffix: { 'equals-ignore-case': '.PNG' } }],
      detail: {
        a: [{ 'anything-but': 'x' }, { 'anything-but': 1 }, { 'anything-but': ['x', 'y'] }, { 'anything-but': [1, 2] }],
        b: [
          { 'anything-but': { prefix: 'p' } },
          { 'anything-but': { suffix: 's' } },
          { 'anything-but': { 'equals-ignore-case': ['a', 'b'] } },
          { 'anything-but': { wildcard: '*/lib/*' } },
        ],
        c: [{ numeric: ['>=', 0, '<', 1] }, { numeric: ['=', 5] }],
        d: [{ exists: true }],
        e: [{ 'equals-ignore-case': 'x' }],
        f: [{ wildcard: 'a*b*c' }],
        g: [{ cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/64' }],
        $or: [{ h: ['1'] }, { i: ['2'] }],
      },
    };
    expect(() => validatePattern(pattern)).not.toThrow();
  });

  it.each<[string, unknown, RegExp]>([
    ['a non-object pattern', ['source'], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['an empty pattern', {}, /\(root\): empty objects/],
    ['an empty nested object', { detail: {} }, /at detail: empty objects/],
    ['an empty array', { source: [] }, /at source: empty arrays are not allowed/],
    ['a scalar field value', { source: 'hr' }, /at source: a field must be an array/],
    ['a nested array value', { source: [['hr']] }, /at source\[0\]: a match value must be/],
    ['an unknown operator', { detail: { x: [{ contains: 'a' }] } }, /at detail\.x\[0\]: unknown operator "contains"/],
    ['two operators in one expression', { x: [{ prefix: 'a', suffix: 'b' }] }, /exactly one operator/],
    ['an empty match expression', { x: [{}] }, /empty match expression/],
    ['a non-string prefix', { x: [{ prefix: 5 }] }, /at x\[0\]\.prefix: prefix operand must be a string/],
    ['prefix with another nested operator', { x: [{ prefix: { wildcard: 'a' } }] }, /x\[0\]\.prefix: prefix takes a string/],
    ['a non-string suffix ignore-case', { x: [{ suffix: { 'equals-ignore-case': 1 } }] }, /equals-ignore-case operand must be a string/],
    ['a non-string equals-ignore-case', { x: [{ 'equals-ignore-case': ['a'] }] }, /equals-ignore-case operand must be a string/],
    ['a non-boolean exists', { x: [{ exists: 'true' }] }, /at x\[0\]\.exists: exists operand must be true or false/],
    ['a non-array numeric', { x: [{ numeric: 5 }] }, /numeric operand must be an array/],
    ['an unknown numeric operator', { x: [{ numeric: ['!=', 5] }] }, /unknown numeric operator "!="/],
    ['a string numeric value', { x: [{ numeric: ['>', '5'] }] }, /x\[0\]\.numeric\[1\]: the value after ">" must be a number/],
    ['a range starting with <', { x: [{ numeric: ['<', 5, '>', 1] }] }, /must start with ">" or ">="/],
    ['a range with two lower bounds', { x: [{ numeric: ['>', 1, '>=', 5] }] }, /must end with "<" or "<="/],
    ['an inverted range', { x: [{ numeric: ['>', 5, '<', 1] }] }, /lower bound .* must be less than/],
    ['a numeric with three terms', { x: [{ numeric: ['>', 5, '<'] }] }, /one comparison/],
    ['anything-but null', { x: [{ 'anything-but': null }] }, /anything-but takes/],
    ['anything-but boolean', { x: [{ 'anything-but': true }] }, /anything-but takes/],
    ['anything-but mixed list', { x: [{ 'anything-but': ['a', 1] }] }, /only strings or only numbers/],
    ['anything-but empty list', { x: [{ 'anything-but': [] }] }, /empty arrays/],
    ['anything-but numeric', { x: [{ 'anything-but': { numeric: ['>', 1] } }] }, /x\[0\]\.anything-but\.numeric: anything-but cannot be combined/],
    ['anything-but exists', { x: [{ 'anything-but': { exists: true } }] }, /anything-but cannot be combined/],
    ['anything-but empty prefix', { x: [{ 'anything-but': { prefix: '' } }] }, /must not be empty/],
    ['anything-but non-string equals-ignore-case', { x: [{ 'anything-but': { 'equals-ignore-case': [1] } }] }, /equals-ignore-case\[0\]: .*must be a string/],
    ['anything-but invalid wildcard', { x: [{ 'anything-but': { wildcard: 'a**' } }] }, /consecutive wildcard/],
    ['a non-string wildcard', { x: [{ wildcard: 5 }] }, /wildcard operand must be a string/],
    ['consecutive wildcards', { x: [{ wildcard: 'a**b' }] }, /consecutive wildcard characters at position 1/],
    ['an invalid wildcard escape', { x: [{ wildcard: 'a\\b' }] }, /invalid escape/],
    ['a trailing wildcard backslash', { x: [{ wildcard: 'a\\' }] }, /invalid escape/],
    ['a cidr without a mask', { x: [{ cidr: '10.0.0.1' }] }, /exactly one "\/" is required/],
    ['a cidr with a bad mask', { x: [{ cidr: '10.0.0.0/abc' }] }, /mask must be a non-negative integer/],
    ['a cidr with a bad address', { x: [{ cidr: '10.0.0.256/8' }] }, /invalid IP address/],
    ['a cidr with a hostname', { x: [{ cidr: 'example.com/8' }] }, /invalid IP address/],
    ['an IPv4 cidr mask that is too wide', { x: [{ cidr: '10.0.0.0/33' }] }, /IPv4 mask bits must be < 32/],
    ['a non-string cidr', { x: [{ cidr: 10 }] }, /cidr operand must be a string/],
    ['$or with one member', { $or: [{ a: ['1'] }] }, /at \$or: \$or must contain at least 2/],
    ['$or with a non-object member', { $or: [{ a: ['1'] }, ['b']] }, /at \$or\[1\]: each \$or member must be an object/],
    ['an operator name inside $or', { $or: [{ prefix: ['a'] }, { b: ['1'] }] }, /\$or\[0\]\.prefix: "prefix" is an operator name/],
    ['an invalid value deep inside $or', { detail: { $or: [{ a: [] }, { b: ['1'] }] } }, /at detail\.\$or\[0\]\.a: empty arrays/],
  ])('rejects %s', (_name, pattern, message) => {
    expect(() => validatePattern(pattern)).toThrow(message);
  });

  it('names keys that are not plain identifiers unambiguously', () => {
    expect(() => validatePattern({ detail: { 'a.b': [] } })).toThrow(/at detail\."a\.b": empty arrays/);
  });

  it('treats "$or" followed by an object as an ordinary field name', () => {
    const pattern = { $or: { metricType: ['MetricType'] } };
    expect(() => validatePattern(pattern)).not.toThrow();
    expect(matches(pattern, { $or: { metricType: 'MetricType' } })).toBe(true);
  });
});
