package wire

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCountersAdd(t *testing.T) {
	for _, c := range []struct {
		name    string
		events  []Event
		counted bool
		check   func(Counters) bool
	}{
		{"entry", []Event{{Kind: DoorEntry}}, true, func(c Counters) bool { return c.Entries == 1 && c.AfterHoursEntries == 0 }},
		{"after-hours entry counts twice", []Event{{Kind: DoorEntry, AfterHours: true}}, true, func(c Counters) bool { return c.Entries == 1 && c.AfterHoursEntries == 1 }},
		{"exit", []Event{{Kind: DoorExit}, {Kind: DoorExit, AfterHours: true}}, true, func(c Counters) bool { return c.Exits == 2 && c.AfterHoursExits == 1 }},
		{"session", []Event{{Kind: SessionStart}, {Kind: SessionEnd, Reason: ReasonIdle}}, true, func(c Counters) bool { return c.Sessions == 1 }},
		{"module start", []Event{{Kind: ModuleStart, Module: "fire"}, {Kind: ModuleStart, Module: "fire"}}, true, func(c Counters) bool { return c.ModulesStarted["fire"] == 2 }},
		{"module complete passed", []Event{{Kind: ModuleComplete, Module: "fire", Passed: new(true)}}, true, func(c Counters) bool {
			return c.ModulesCompleted["fire"] == 1 && c.ModulesPassed["fire"] == 1
		}},
		{"module complete failed", []Event{{Kind: ModuleComplete, Module: "drugs", Passed: new(false)}}, true, func(c Counters) bool {
			return c.ModulesCompleted["drugs"] == 1 && len(c.ModulesPassed) == 0
		}},
		{"answers", []Event{{Kind: StepAnswer, Step: "q1", Correct: new(true)}, {Kind: StepAnswer, Step: "q1", Correct: new(false)}, {Kind: StepAnswer, Step: "q2", Correct: new(true)}}, true, func(c Counters) bool {
			return c.AnswersRight["q1"] == 1 && c.AnswersWrong["q1"] == 1 && c.AnswersRight["q2"] == 1
		}},
		{"feedback", []Event{{Kind: Feedback, Rating: 1}, {Kind: Feedback, Rating: 3}, {Kind: Feedback, Rating: 3}}, true, func(c Counters) bool { return c.Feedback == [3]uint64{1, 0, 2} }},
		{"feedback out of range not counted", []Event{{Kind: Feedback, Rating: 4}}, false, func(c Counters) bool { return c.Feedback == [3]uint64{} }},
		{"sensor fault", []Event{{Kind: SensorFault, Sensor: "door"}, {Kind: SensorOK, Sensor: "door"}}, true, func(c Counters) bool { return c.SensorFaults == 1 }},
		{"not counted", []Event{{Kind: PresenceStart}, {Kind: PresenceEnd}, {Kind: PackInstalled}, {Kind: PackRejected}, {Kind: SensorOK}}, false, func(c Counters) bool { return c.Equal(Counters{}) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var k Counters
			counted := false
			for _, e := range c.events {
				counted = k.Add(e) || counted
			}
			if counted != c.counted || !c.check(k) {
				t.Errorf("counted %v, counters %+v", counted, k)
			}
		})
	}
}

func TestCountersCloneMergeEqual(t *testing.T) {
	var a Counters
	a.Add(Event{Kind: ModuleStart, Module: "fire"})
	a.Add(Event{Kind: DoorEntry})
	b := a.Clone()
	b.Add(Event{Kind: ModuleStart, Module: "fire"})
	if a.ModulesStarted["fire"] != 1 {
		t.Fatal("Clone shares maps")
	}
	if a.Equal(b) || !a.Equal(a.Clone()) {
		t.Fatal("Equal")
	}
	var sum Counters
	sum.Merge(a)
	sum.Merge(b)
	if sum.Entries != 2 || sum.ModulesStarted["fire"] != 3 {
		t.Fatalf("Merge: %+v", sum)
	}
	if !(Counters{}).Equal(Counters{ModulesStarted: map[string]uint64{}}) {
		t.Fatal("nil and empty map differ")
	}
}

func TestCountersJSONHasEmptyMaps(t *testing.T) {
	b, err := json.Marshal(Counters{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "null") || !strings.Contains(string(b), `"modules_started":{}`) {
		t.Errorf("zero counters: %s", b)
	}
	b, _ = json.Marshal(Status{V: 1, Time: time.Unix(0, 0)})
	if !strings.Contains(string(b), `"sensors":{}`) {
		t.Errorf("zero status: %s", b)
	}
}
