package hub

// PreviousOf returns the release OfferPrevious would offer in place of
// version of pack: the highest release of pack below version in the packs
// folder, read again first (a release removed since the last scan is not
// offered). false: there is none, and OfferPrevious would refuse with
// ErrNoRelease. It changes nothing: the dashboard's confirmation page
// says with it what a rollback would offer.
func (o *Offerer) PreviousOf(pack, version string) (Release, bool, error) {
	if err := o.Library.Scan(); err != nil {
		return Release{}, false, err
	}
	rel, ok := o.previous(pack, version)
	return rel, ok, nil
}
